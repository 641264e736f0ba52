#pragma once
// Between a Module and a Checkpoint: every parameter (with its mask) and buffer by name.
#include <string>

#include "experiment/config/model_file.h"
#include "experiment/io/checkpoint.h"
#include "nn/module.h"

namespace poda {

Checkpoint model_to_checkpoint(Module& model);
// Loads values, masks and buffers; the checkpoint must hold exactly the model's names and
// shapes (CheckpointError naming `source` otherwise); quantization entries
// (experiment/quant_schemes/quant_checkpoint.h) are skipped.
void load_model_checkpoint(Module& model, const Checkpoint& checkpoint, const std::string& source);

// Loads the weights of a model file (a checkpoint, or an ONNX graph imported again) into a
// model built from its description's layers.
void load_model_file(Module& model, const ModelFile& file);

}  // namespace poda
