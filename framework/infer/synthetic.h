#pragma once
// Zoo models with random weights and masks, for `poda bench --zoo` and bench/: the speed of
// the inference paths does not depend on what the weights learnt, only on where the zeros are.
#include <cstdint>
#include <memory>
#include <string>

#include "nn/layers/sequential.h"

namespace poda {

// The zoo model `name` for samples of input_shape, Kaiming-uniform weights from `seed`.
std::shared_ptr<Sequential> synthetic_model(const std::string& name, const Shape& input_shape,
                                            std::uint64_t seed);

// One-shot pruning of every layer to `sparsity` (scope: layer) with `criterion` (magnitude,
// random, ...) at `granularity` (unstructured, neuron, filter, channel, n_m, block). Output
// units of the last layer are kept (they are the model's outputs).
void prune_synthetic(Module& model, const std::string& criterion, const std::string& granularity,
                     double sparsity, std::uint64_t seed);

// "1,28,28" -> (1, 28, 28); throws std::invalid_argument naming the text.
Shape parse_shape(const std::string& text);

}  // namespace poda
