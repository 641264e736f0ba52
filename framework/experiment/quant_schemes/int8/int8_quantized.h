#pragma once
// The int8 scheme's quantized model: every weight-layer weight replaced by its per-channel
// int8 levels dequantized (so the model computes exactly with the stored weights), with the
// calibrated uint8 input grid of each weight layer in front (quantize/fake_quant_model.h).
// In the checkpoint, for a parameter "fc1.weight" (quant_checkpoint.h):
//   entries  "fc1.weight.int8"  (shape of the weight; the levels, exact in float32)
//            "fc1.weight.scale" (C_out)
//   metadata quant.fc1.weight.kind = int8
// and for each weight layer "fc1": quant.fc1.input_scale, quant.fc1.input_zero_point.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "experiment/quant_schemes/quant_scheme.h"
#include "quantize/fake_quant_model.h"
#include "quantize/int8_weights.h"

namespace poda {

// Replaces every weight-layer weight by its int8 levels dequantized; returns the levels by
// parameter name.
std::vector<std::pair<std::string, Int8Weights>> materialize_int8_weights(Module& model);

// The stored size's layers: levels on the per-channel grid of each weight-layer weight.
std::vector<LayerCodes> int8_model_codes(Module& model, int conv_index_bits, int dense_index_bits);

// Materialises `model`'s int8 weights and returns it as the int8 scheme's quantized model.
std::unique_ptr<QuantizedModel> int8_quantized(Sequential& model,
                                               std::vector<LayerInputGrid> input_grids);

// QuantSchemeType::load of the int8 scheme.
std::shared_ptr<Sequential> load_int8(Sequential& model, const Checkpoint& checkpoint,
                                      const std::string& source);

void add_int8_weights(Checkpoint& checkpoint, const std::string& name, const Int8Weights& weights);
Int8Weights read_int8_weights(const Checkpoint& checkpoint, const std::string& name,
                              const std::string& source);

}  // namespace poda
