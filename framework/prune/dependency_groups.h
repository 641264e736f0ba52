#pragma once
// Dependency groups (the idea of Torch-Pruning's DepGraph): the channels that can only be
// removed together. A channel written by a conv is also a channel of the BatchNorm after it,
// an input channel of the next conv (or H*W input features of a Dense after a Flatten), and,
// when a residual add joins it to other branches or to the block's input, a channel of every
// layer writing those. Built from the layers' traits (Module::channel_flow, groups,
// chains_children, sums_children, adds_input), never from type names, so a new layer type
// takes part by declaring how channels flow through it. An attention layer (`attends`) adds a
// group of its heads. Semantics in docs/pruning.md.
#include <string>
#include <vector>

#include "nn/module.h"

namespace poda {

struct GroupMember {
  enum class Role {
    writes,      // output units of a transforms layer: weight rows (axis 0) and bias
    normalizes,  // per-channel affine (BatchNorm): gamma and beta
    reads,       // input channels of a transforms layer: weight axis 1, fan_out features each
  };
  Role role = Role::writes;
  Module* layer = nullptr;
  std::string name;         // the layer's dotted name, e.g. "stage2_0.shortcut.conv"
  std::size_t fan_out = 1;  // reads: channel c is input features [c * fan_out, (c+1) * fan_out)
  std::size_t span = 1;     // writes: channel c is output units [c * span, (c+1) * span)
};

struct DependencyGroup {
  std::size_t channels = 0;
  std::vector<GroupMember> members;  // in model order
  // Why these channels must all stay (the network's input or output, a grouped conv that is
  // not depthwise, a weight that is not prunable, a shape the tracer cannot map); empty =
  // prunable.
  std::string pinned;
  // The channels are attention heads (writers q, k, v with span = the head width, reader out
  // with fan_out = the head width): pruned by granularity `head`, not `neuron`.
  bool heads = false;
  bool prunable() const { return pinned.empty(); }
  // The layers writing the group's channels (what criteria score), in model order.
  std::vector<const GroupMember*> writers() const;
};

// Every group of `model` that some layer writes, in the order of their first writer.
std::vector<DependencyGroup> dependency_groups(Module& model);

// The group whose channels `layer` writes (a transforms layer), or nullptr.
const DependencyGroup* group_written_by(const std::vector<DependencyGroup>& groups,
                                        const Module* layer);

// Channel c of the group is removed when every writer's row c and bias c and every
// normalizer's gamma c and beta c are masked: each summand then outputs exactly zero. For a
// group of one writer this is prune/dead_inputs.h's output_unit_removed.
bool group_channel_removed(const DependencyGroup& g, std::size_t c);

// Masks channel c in every member: writers' rows and biases, normalizers' gamma and beta,
// readers' input columns.
void mask_group_channels(const DependencyGroup& g, const std::vector<bool>& remove);

}  // namespace poda
