#pragma once
// The model as the pruner sees it: one PruneTarget per prunable layer (a leaf module with a
// prunable weight of rank >= 2: Dense (out, in), Conv (C_out, C_in/groups, kH, kW)), with
// the neighbours structured pruning must touch. Built from parameter shapes and the layers'
// own traits (Module::channel_flow, groups, chains_children), so a new layer type needs no
// change here: it declares how channels flow through it.
#include <string>
#include <vector>

#include "nn/module.h"

namespace poda {

struct PruneTarget {
  std::string name;         // layer name, e.g. "fc1" or "features.0"
  std::string weight_name;  // "fc1.weight"
  Module* layer = nullptr;
  Parameter* weight = nullptr;
  Parameter* bias = nullptr;  // may be null
  std::string bias_name;
  std::size_t groups = 1;  // Conv groups (1 for Dense)

  // The BatchNorm directly after this layer: filter pruning removes its channel too.
  Parameter* bn_weight = nullptr;  // gamma
  Parameter* bn_bias = nullptr;    // beta
  std::string bn_name;

  // The next prunable layer reading this layer's outputs, when every layer in between maps
  // zeros to zeros (channel_flow keeps_zeros or flattens: ReLU, Tanh, pooling, Flatten, ...). Output unit u feeds the
  // consumer's inputs [u * fan_out, (u + 1) * fan_out): fan_out > 1 after conv -> Flatten ->
  // Dense, where one channel becomes H * W features.
  PruneTarget* consumer = nullptr;
  std::size_t fan_out = 1;
  // The first zero-keeping layer after it (and its BatchNorm), usually its activation
  // (ReLU): activation statistics call that layer's output this one's activated output.
  Module* activation = nullptr;

  std::size_t out_units() const { return weight->value.dim(0); }
  std::size_t in_units() const { return weight->value.dim(1); }  // per group for Conv
  // Elements per (output, input) pair: kH * kW for Conv, 1 for Dense.
  std::size_t kernel_size() const { return weight->value.size() / (out_units() * in_units()); }
};

// In model order. Layers inside containers other than Sequential (e.g. residual blocks) are
// targets too; each Sequential inside is traced as its own chain, never across the
// container's edges (a residual add mixes in the shortcut).
// The vector must not be resized afterwards (consumers point into it).
std::vector<PruneTarget> collect_targets(Module& model);

}  // namespace poda
