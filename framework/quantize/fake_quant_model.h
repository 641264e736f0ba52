#pragma once
// A whole model simulated in int8 for accuracy and quantization-aware fine-tuning: every
// weight layer (a `transforms` layer: Dense, Conv2d) gets its input fake-quantized on a
// per-tensor uint8 grid calibrated on training batches, and its weight fake-quantized on
// its per-channel int8 grid (Parameter::fake_quant). The arithmetic is what the int8
// kernels compute, in float: same grids, same rounding (kernels/quant_params.h).
#include <memory>
#include <string>
#include <vector>

#include "kernels/quant_params.h"
#include "data/normalization.h"
#include "data/image_set.h"
#include "nn/layers/sequential.h"
#include "quantize/calibration.h"

namespace poda {

// The calibrated input grid of one weight layer, by the layer's name in the model.
struct LayerInputGrid {
  std::string layer;
  QuantGrid grid;
};

// Runs `settings.batches` batches of `set` (in order, evaluation mode, no graph) through
// `model` and returns the input grid of each weight layer at its top level, in order.
// std::invalid_argument when a weight layer sits inside another container (only
// top-level layers can get an input quantizer) or the model has no weight layer.
std::vector<LayerInputGrid> calibrate_layer_inputs(Sequential& model, const ImageSet& set,
                                                   const Normalization& norm,
                                                   std::size_t batch_size,
                                                   const CalibrationSettings& settings);

// A new Sequential sharing `model`'s layers (same names, so the same parameter names), with
// an input fake-quantizer before each layer named in `grids`.
std::shared_ptr<Sequential> with_input_fake_quant(Sequential& model,
                                                  const std::vector<LayerInputGrid>& grids);

// Sets Parameter::fake_quant on the weight of every weight layer of the model.
void set_weight_fake_quant(Module& model, bool on);

}  // namespace poda
