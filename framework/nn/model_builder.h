#pragma once
#include <memory>
#include <vector>

#include "nn/layer_spec.h"
#include "nn/layers/sequential.h"

namespace poda {

// Builds a model from layer specs for inputs of `input_shape` (one sample, e.g. (1, 28, 28)),
// checking every layer's shape as it goes. Errors name the layer (position, name, type,
// where it was written) and both shapes.
std::shared_ptr<Sequential> build_model(const std::vector<LayerSpec>& layers,
                                        const Shape& input_shape, Init init, Rng& rng);

// Builds children of a container layer (used by residual blocks); returns the output shape.
std::shared_ptr<Sequential> build_layers(const std::vector<LayerSpec>& layers,
                                         const Shape& input_shape, BuildContext& ctx,
                                         Shape& output_shape);

}  // namespace poda
