#pragma once
// Compaction: a dense copy of a pruned model without its dead units, so structured pruning
// runs faster on ordinary dense kernels. A Dense neuron or Conv filter is dead when it is
// removed by the one definition of prune/dead_inputs.h: its weights, its bias and (for a
// following BatchNorm) its γ and β are all masked. Dead units are removed with the matching inputs of the next layer (through
// ReLU, Tanh, pooling, Dropout, Flatten's fan-out and global pooling). The copy computes the
// same function as the masked model in evaluation mode.
#include <memory>

#include "nn/layers/sequential.h"

namespace poda {

struct CompactResult {
  std::shared_ptr<Sequential> model;  // nullptr: the model has a layer compaction cannot cross
  std::string reason;                 // why not, when model is nullptr
};

// Supports Sequential chains of layers whose traits say how channels flow through them
// (Module::channel_flow, compacted): Dense, Conv2d (groups 1), BatchNorm, ReLU, Tanh, pooling,
// Dropout and Flatten; anything else (a residual block, a Sigmoid, a grouped conv) is reported.
CompactResult compact_model(Sequential& model, const Shape& input_shape);

}  // namespace poda
