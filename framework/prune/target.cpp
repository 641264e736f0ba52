#include "prune/target.h"

#include <set>

#include "nn/layers/conv2d.h"

namespace poda {

namespace {

// A leaf in execution order, or a barrier where zeros cannot be traced.
struct Leaf {
  std::string name;
  Module* module = nullptr;  // null = barrier
};

bool is_sequential(const Module& m) { return m.type_name() == "Sequential"; }

void flatten_leaves(Module& m, const std::string& prefix, std::vector<Leaf>& out) {
  const bool chain = is_sequential(m);
  for (const auto& [name, child] : m.children()) {
    const std::string full = prefix.empty() ? name : prefix + "." + name;
    // Children of a block with its own data flow (a residual add, branches) are separate
    // chains: zeros are traced inside each Sequential, never across the block's edges.
    if (!chain) out.push_back({"", nullptr});
    if (child->children().empty()) out.push_back({full, child.get()});
    else flatten_leaves(*child, full, out);
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

bool is_batch_norm(const Module& m) { return m.type_name().rfind("BatchNorm", 0) == 0; }

// Layers through which a zero channel stays a zero channel.
bool preserves_zeros(const Module& m) {
  static const std::set<std::string> types{"ReLU",      "Tanh",      "Flatten",
                                           "MaxPool2d", "AvgPool2d", "GlobalAvgPool",
                                           "Dropout",   "Identity",  "LeakyReLU"};
  return types.count(m.type_name()) > 0;
}

}  // namespace

std::vector<PruneTarget> collect_targets(Module& model) {
  std::vector<Leaf> leaves;
  if (model.children().empty()) leaves.push_back({"", &model});
  else flatten_leaves(model, "", leaves);

  std::vector<PruneTarget> targets;
  std::vector<std::size_t> leaf_of_target;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].module || !is_prunable_layer(*leaves[i].module)) continue;
    PruneTarget t;
    t.name = leaves[i].name;
    t.layer = leaves[i].module;
    t.weight_name = t.name.empty() ? "weight" : t.name + ".weight";
    t.weight = own_parameter(*t.layer, "weight");
    t.bias = own_parameter(*t.layer, "bias");
    if (t.bias) t.bias_name = t.name.empty() ? "bias" : t.name + ".bias";
    if (auto* conv = dynamic_cast<Conv2d*>(t.layer)) t.groups = conv->settings().groups;
    targets.push_back(t);
    leaf_of_target.push_back(i);
  }

  for (std::size_t k = 0; k < targets.size(); ++k) {
    PruneTarget& t = targets[k];
    std::size_t i = leaf_of_target[k] + 1;
    if (i < leaves.size() && leaves[i].module && is_batch_norm(*leaves[i].module)) {
      Module& bn = *leaves[i].module;
      Parameter* gamma = own_parameter(bn, "weight");
      if (gamma && gamma->value.size() == t.out_units()) {
        t.bn_weight = gamma;
        t.bn_bias = own_parameter(bn, "bias");
        t.bn_name = leaves[i].name;
      }
      ++i;
    }
    bool flattened = false;
    for (; i < leaves.size() && leaves[i].module; ++i) {
      Module& m = *leaves[i].module;
      if (is_prunable_layer(m)) {
        if (k + 1 >= targets.size() || targets[k + 1].layer != &m) break;
        PruneTarget& next = targets[k + 1];
        const std::size_t in_total = next.in_units();
        if (!flattened && next.weight->value.shape().size() > 2) {
          if (t.out_units() == in_total * next.groups) t.consumer = &next;
        } else if (in_total % t.out_units() == 0 && (flattened || in_total == t.out_units())) {
          t.consumer = &next;
          t.fan_out = in_total / t.out_units();
        }
        break;
      }
      if (!preserves_zeros(m)) break;
      if (m.type_name() == "Flatten") flattened = true;
    }
  }
  return targets;
}

}  // namespace poda
