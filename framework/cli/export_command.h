#pragma once
// `poda export CHECKPOINT --format onnx|poda-sparse OUT`: a trained model leaves poda.
#include <string>

namespace poda {

struct ExportOptions {
  std::string checkpoint, out;
  std::string format = "onnx";  // onnx | poda-sparse
  std::string config;           // "" = config.yaml beside the checkpoint (a run folder's)
  bool compact = false;         // write the compacted model (dead units removed)
  bool force = false;           // replace an existing file at `out` (never an input)
};

int command_export(const ExportOptions& options);

}  // namespace poda
