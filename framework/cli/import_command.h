#pragma once
// `poda import MODEL.onnx OUT.ckpt`: a network trained elsewhere becomes a poda checkpoint.
#include <string>

namespace poda {

struct ImportOptions {
  std::string model, out;
  std::string evaluate;  // a dataset name: print the imported model's test accuracy on it
  bool force = false;    // replace an existing file at `out` (never the model itself)
};

int command_import(const ImportOptions& options);

}  // namespace poda
