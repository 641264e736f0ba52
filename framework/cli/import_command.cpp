#include "cli/import_command.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "cli/commands.h"
#include "experiment/config/model_file.h"
#include "experiment/io/atomic_file.h"
#include "experiment/config/input_limits.h"
#include "experiment/io/output_file.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/model_checkpoint.h"
#include "interop/onnx_export.h"
#include "interop/onnx_import.h"
#include "nn/parameter_budget.h"
#include "train/trainer.h"

namespace poda {
namespace {

// The model and its poda layers. A graph poda's layers cannot take (a shape that does not fit
// a layer, a constant of the wrong size) is the file's fault: an input error naming it.
struct Imported {
  ImportedModel spec;
  std::shared_ptr<Sequential> model;
};

Imported import_model(const std::string& path) {
  try {
    Imported i;
    i.spec = import_onnx(parse_onnx(read_file(path), path), path);
    const ParameterBudget budget(kMaxModelParameters);  // sizes checked before allocating
    i.model = build_imported(i.spec);
    return i;
  } catch (const std::invalid_argument& e) {  // ShapeError and the layers' own checks
    throw OnnxError(path + ": poda cannot build this model: " + e.what());
  } catch (const std::out_of_range&) {
    throw OnnxError(path + ": an input or attribute the model refers to is missing");
  } catch (const std::length_error&) {
    throw OnnxError(path + ": a tensor of the model is too large");
  }
}

}  // namespace

int command_import(const ImportOptions& o) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(o.model, ec))
    throw OnnxError(o.model + ": no such file");  // an input error (exit code 2), not an I/O one
  const OutputTarget target{o.out, {o.model}, o.force};
  check_output_path(target);
  const Imported i = import_model(o.model);
  const ImportedModel& imported = i.spec;
  const std::shared_ptr<Sequential>& model = i.model;
  Checkpoint checkpoint = model_to_checkpoint(*model);
  const std::string layers = layers_yaml(imported.layers);
  describe_model(checkpoint, {imported.layers, imported.input, imported.norm});
  checkpoint.metadata["imported_from"] = o.model;
  if (!imported.dropped_output.empty())
    checkpoint.metadata["imported_output_dropped"] = imported.dropped_output;
  write_output_file(target, serialize_checkpoint(checkpoint, o.out));
  std::printf("poda import: %s -> %s, input %s, normalisation mean [%s] std [%s]\n",
              o.model.c_str(), o.out.c_str(), shape_str(imported.input).c_str(),
              join_floats(imported.norm.mean).c_str(), join_floats(imported.norm.std).c_str());
  std::printf("model:\n  layers: %s\n", layers.c_str());
  if (!imported.dropped_output.empty())
    std::printf("the graph's final %s is left out: the model outputs the logits (the same "
                "argmax; training and export work on logits)\n",
                imported.dropped_output.c_str());
  if (!o.evaluate.empty()) {
    DatasetConfig d;
    d.name = o.evaluate;
    d.normalize = false;
    const LoadedData data = load_data(d, 0);
    const EvalResult r = evaluate(*model, data.splits.test, imported.norm, 1000);
    std::printf("test accuracy on %s (%zu images): %.4f\n", o.evaluate.c_str(),
                data.splits.test.count, r.accuracy);
  }
  return kExitOk;
}

}  // namespace poda
