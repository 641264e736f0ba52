#pragma once
// A quantized model as a run keeps it, in poda's checkpoint format: the model's ordinary
// entries (so load_model_checkpoint still reads it) plus the quantized form its scheme adds
// (experiment/quant_schemes/quant_checkpoint.h). Loading rebuilds every weight from its
// quantized form, not from the float entries.
#include <memory>
#include <string>

#include "experiment/io/checkpoint.h"
#include "experiment/quant_schemes/quant_scheme.h"
#include "nn/layers/sequential.h"

namespace poda {

Checkpoint quantized_model_to_checkpoint(Sequential& model, const QuantizedModel& quantized);

// Loads `checkpoint` into `model` (masks included), rebuilds the quantized weights through
// the scheme that saved them, and returns the model to evaluate (QuantizedModel::evaluated).
// CheckpointError for a scheme that is not registered.
std::shared_ptr<Sequential> load_quantized_model(Sequential& model, const Checkpoint& checkpoint,
                                                 const std::string& source);

}  // namespace poda
