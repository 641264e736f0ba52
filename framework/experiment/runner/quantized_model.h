#pragma once
// A quantized model as a run keeps it: the model whose weights hold the quantized values
// (int8 levels dequantized, or k-means centroids), plus for int8 the calibrated input grid
// of each weight layer. Saved in poda's checkpoint format as the model's ordinary entries
// (so load_model_checkpoint still reads it) plus the quantized form of each weight
// (quantized_checkpoint.h) and the input grids as metadata:
//   quant.<layer>.input_scale, quant.<layer>.input_zero_point
// Loading rebuilds every weight from its quantized form, not from the float entries.
#include <memory>
#include <string>
#include <vector>

#include "experiment/io/checkpoint.h"
#include "nn/layers/sequential.h"
#include "quantize/fake_quant_model.h"
#include "quantize/int8_weights.h"
#include "quantize/kmeans_model.h"

namespace poda {

struct QuantizedModel {
  std::vector<LayerInputGrid> input_grids;  // int8 only
  std::vector<SharedLayer> shared;          // kmeans only
};

// int8: every weight-layer weight replaced by its int8 levels dequantized (so the model
// computes exactly with the stored weights); returns them by parameter name.
std::vector<std::pair<std::string, Int8Weights>> materialize_int8_weights(Module& model);

Checkpoint quantized_model_to_checkpoint(Sequential& model, const QuantizedModel& quantized);

// Loads `checkpoint` into `model` (masks included), rebuilds the quantized weights from
// their quantized entries, and returns the model to evaluate: `model` itself, or for int8 a
// Sequential sharing its layers with the input quantizers in front (with_input_fake_quant).
std::shared_ptr<Sequential> load_quantized_model(Sequential& model, const Checkpoint& checkpoint,
                                                 const std::string& source);

}  // namespace poda
