#pragma once
// Between a Module and a Checkpoint: every parameter (with its mask) and buffer by name.
#include <string>

#include "experiment/io/checkpoint.h"
#include "nn/module.h"

namespace poda {

Checkpoint model_to_checkpoint(Module& model);
// Loads values, masks and buffers; the checkpoint must hold exactly the model's names and
// shapes (CheckpointError naming `source` otherwise); quantization entries
// (quantized_checkpoint.h) are skipped.
void load_model_checkpoint(Module& model, const Checkpoint& checkpoint, const std::string& source);

}  // namespace poda
