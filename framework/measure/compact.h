#pragma once
// Compaction: a dense copy of a pruned model without its removed channels, so structured
// pruning runs faster on ordinary dense kernels. Channels are removed by dependency group
// (prune/dependency_groups.h): channel c of a group goes when every layer writing it has its
// weights and bias masked and every BatchNorm in the group its gamma and beta (for a plain
// chain, the one definition of prune/dead_inputs.h), and then from every member: the writers'
// filters or neurons, the BatchNorms, the readers' input channels (through ReLU, pooling,
// Dropout, Flatten's fan-out and global pooling) and every branch of a residual add. The copy
// computes the same function as the masked model in evaluation mode.
#include <memory>

#include "nn/layers/sequential.h"

namespace poda {

struct CompactResult {
  std::shared_ptr<Sequential> model;  // nullptr: the model has a layer compaction cannot cross
  std::string reason;                 // why not, when model is nullptr
};

// Supports models of layers whose traits say how channels flow through them
// (Module::channel_flow, compacted) inside containers that chain or sum their children
// (Sequential, Residual): Dense, Conv2d (groups 1 or depthwise), BatchNorm, ReLU, Tanh,
// pooling, Dropout and Flatten; anything else (a Sigmoid, a grouped conv) is reported.
CompactResult compact_model(Sequential& model, const Shape& input_shape);

}  // namespace poda
