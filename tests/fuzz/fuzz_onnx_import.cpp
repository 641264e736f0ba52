// libFuzzer target: `poda import` on any bytes: parse the ONNX protobuf, walk the graph into
// poda's layers, build the model (under a small parameter budget) and, when its sample is
// small, run one forward pass. An OnnxError (or a layer's std::invalid_argument or a missing
// input's std::out_of_range, which `poda import` reports as the model's fault, exit code 2)
// is the expected answer to a bad model;
// anything else is a finding (poda would exit as an internal error, or crash).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "interop/onnx_import.h"
#include "nn/parameter_budget.h"

namespace {
constexpr std::size_t kFuzzMaxParameters = 1'000'000;
constexpr std::size_t kFuzzMaxSample = 4096;  // floats of one sample run forward
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const poda::ImportedModel imported =
        poda::import_onnx(poda::parse_onnx(bytes, "fuzz.onnx"), "fuzz.onnx");
    const poda::ParameterBudget budget(kFuzzMaxParameters);
    auto model = poda::build_imported(imported);
    if (poda::numel(imported.input) > kFuzzMaxSample) return 0;
    poda::Shape batch{1};
    batch.insert(batch.end(), imported.input.begin(), imported.input.end());
    model->eval();
    model->forward(poda::Variable(poda::zeros_array(batch)));
  } catch (const poda::OnnxError&) {
  } catch (const std::invalid_argument&) {
  } catch (const std::out_of_range&) {  // `poda import` says the model refers to what it lacks
  }
  return 0;
}
