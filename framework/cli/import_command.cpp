#include "cli/import_command.h"

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "experiment/config/model_file.h"
#include "experiment/io/atomic_file.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/model_checkpoint.h"
#include "interop/onnx_export.h"
#include "interop/onnx_import.h"
#include "train/trainer.h"

namespace poda {
namespace {

std::string join(const std::vector<float>& v) {
  std::string out;
  char buf[32];
  for (float x : v) {
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(x));
    out += (out.empty() ? "" : ", ") + std::string(buf);
  }
  return out;
}

}  // namespace

int command_import(const ImportOptions& o) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(o.model, ec))
    throw OnnxError(o.model + ": no such file");  // an input error (exit code 2), not an I/O one
  const ImportedModel imported = import_onnx(parse_onnx(read_file(o.model), o.model), o.model);
  auto model = build_imported(imported);
  Checkpoint checkpoint = model_to_checkpoint(*model);
  const std::string layers = layers_yaml(imported.layers);
  describe_model(checkpoint, {imported.layers, imported.input, imported.norm});
  checkpoint.metadata["imported_from"] = o.model;
  if (!imported.dropped_output.empty())
    checkpoint.metadata["imported_output_dropped"] = imported.dropped_output;
  save_checkpoint(o.out, checkpoint);
  std::printf("poda import: %s -> %s, input %s, normalisation mean [%s] std [%s]\n",
              o.model.c_str(), o.out.c_str(), shape_str(imported.input).c_str(),
              join(imported.norm.mean).c_str(), join(imported.norm.std).c_str());
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
