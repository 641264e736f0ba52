#include "prune/target.h"

namespace poda {

namespace {

// A leaf in execution order, or a barrier where zeros cannot be traced.
struct Leaf {
  std::string name;
  Module* module = nullptr;  // null = barrier
};

void flatten_leaves(Module& m, const std::string& prefix, std::vector<Leaf>& out) {
  const bool chain = m.chains_children();
  for (const auto& [name, child] : m.children()) {
    const std::string full = prefix.empty() ? name : prefix + "." + name;
    // Children of a block with its own data flow (a residual add, branches) are separate
    // chains: zeros are traced inside each Sequential, never across the block's edges.
    if (!chain) out.push_back({"", nullptr});
    if (child->children().empty())
      out.push_back({full, child.get()});
    else
      flatten_leaves(*child, full, out);
    if (!chain) out.push_back({"", nullptr});
  }
}

Parameter* own_parameter(Module& m, const std::string& name) {
  for (auto& [n, p] : m.named_parameters())
    if (n == name) return p;
  return nullptr;
}

bool is_prunable_layer(Module& m) {
  Parameter* w = own_parameter(m, "weight");
  return w && w->prunable && w->value.shape().size() >= 2;
}

bool is_batch_norm(const Module& m) {
  return m.channel_flow() == Module::ChannelFlow::normalizes;
}

// Layers through which a zero channel stays a zero channel (at its index or its flattened
// features).
bool preserves_zeros(const Module& m) {
  return m.channel_flow() == Module::ChannelFlow::keeps_zeros ||
         m.channel_flow() == Module::ChannelFlow::flattens;
}

}  // namespace

namespace {

PruneTarget make_target(const Leaf& leaf) {
  PruneTarget t;
  t.name = leaf.name;
  t.layer = leaf.module;
  t.weight_name = t.name.empty() ? "weight" : t.name + ".weight";
  t.weight = own_parameter(*t.layer, "weight");
  t.bias = own_parameter(*t.layer, "bias");
  if (t.bias) t.bias_name = t.name.empty() ? "bias" : t.name + ".bias";
  t.groups = t.layer->groups();
  return t;
}

// Takes the BatchNorm at leaves[i] into t when it normalises t's outputs; returns the index
// of the first leaf after t and its BatchNorm.
std::size_t attach_batch_norm(PruneTarget& t, const std::vector<Leaf>& leaves, std::size_t i) {
  if (i >= leaves.size() || !leaves[i].module || !is_batch_norm(*leaves[i].module)) return i;
  Module& bn = *leaves[i].module;
  Parameter* gamma = own_parameter(bn, "weight");
  if (gamma && gamma->value.size() == t.out_units()) {
    t.bn_weight = gamma;
    t.bn_bias = own_parameter(bn, "bias");
    t.bn_name = leaves[i].name;
  }
  return i + 1;
}

// Follows t's outputs from leaves[i] through zero-preserving layers to `next` (the next
// target), and makes it t's consumer when the shapes show how t's units map to its inputs.
void find_consumer(PruneTarget& t, PruneTarget* next, const std::vector<Leaf>& leaves,
                   std::size_t i) {
  bool flattened = false;
  for (; i < leaves.size() && leaves[i].module; ++i) {
    Module& m = *leaves[i].module;
    if (is_prunable_layer(m)) {
      if (!next || next->layer != &m) return;
      const std::size_t in_total = next->in_units();
      if (!flattened && next->weight->value.shape().size() > 2) {
        if (t.out_units() == in_total * next->groups) t.consumer = next;
      } else if (in_total % t.out_units() == 0 && (flattened || in_total == t.out_units())) {
        t.consumer = next;
        t.fan_out = in_total / t.out_units();
      }
      return;
    }
    if (!preserves_zeros(m)) return;
    if (!t.activation && m.channel_flow() == Module::ChannelFlow::keeps_zeros) t.activation = &m;
    if (m.channel_flow() == Module::ChannelFlow::flattens) flattened = true;
  }
}

}  // namespace

std::vector<PruneTarget> collect_targets(Module& model) {
  std::vector<Leaf> leaves;
  if (model.children().empty())
    leaves.push_back({"", &model});
  else
    flatten_leaves(model, "", leaves);

  std::vector<PruneTarget> targets;
  std::vector<std::size_t> leaf_of_target;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].module || !is_prunable_layer(*leaves[i].module)) continue;
    targets.push_back(make_target(leaves[i]));
    leaf_of_target.push_back(i);
  }
  for (std::size_t k = 0; k < targets.size(); ++k) {
    const std::size_t after = attach_batch_norm(targets[k], leaves, leaf_of_target[k] + 1);
    find_consumer(targets[k], k + 1 < targets.size() ? &targets[k + 1] : nullptr, leaves, after);
  }
  return targets;
}

}  // namespace poda
