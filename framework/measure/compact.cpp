#include "measure/compact.h"

#include "prune/dead_inputs.h"

namespace poda {

namespace {

using Flow = Module::ChannelFlow;

Parameter* own_parameter(Module& m, const std::string& name) {
  for (auto& [n, p] : m.named_parameters())
    if (n == name) return p;
  return nullptr;
}

bool transforms(const Module& m) {
  return m.channel_flow() == Flow::transforms;
}

// Layers this compactor can carry over: grouped convolutions and opaque layers it cannot.
bool compactable(const Module& m) {
  if (transforms(m)) return m.groups() == 1;
  return m.channel_flow() != Flow::opaque;
}

// Output units that are not removed (prune/dead_inputs.h: weights, bias and the γ and β of
// a BatchNorm before the next prunable layer all masked), the definition the pruner's counts
// and runs.csv's units_removed use.
std::vector<std::size_t> alive_units(const std::vector<Module*>& layers, std::size_t at) {
  Parameter& w = *own_parameter(*layers[at], "weight");
  const Parameter* b = own_parameter(*layers[at], "bias");
  const Parameter *gamma = nullptr, *beta = nullptr;
  for (std::size_t k = at + 1; k < layers.size() && !transforms(*layers[k]); ++k)
    if (layers[k]->channel_flow() == Flow::normalizes) {
      gamma = own_parameter(*layers[k], "weight");
      beta = own_parameter(*layers[k], "bias");
      break;
    }
  std::vector<std::size_t> alive;
  for (std::size_t u = 0; u < w.value.dim(0); ++u)
    if (!output_unit_removed(w, b, gamma, beta, u)) alive.push_back(u);
  if (alive.empty()) alive.push_back(0);  // a fully pruned layer still needs a width
  return alive;
}

std::vector<std::size_t> all_indices(std::size_t n) {
  std::vector<std::size_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// What flows between the layers of the copy: the original channels or features kept.
struct Carried {
  std::vector<std::size_t> keep;
  bool flattened_spatial = false;
};

// (C, H, W) -> C*H*W features: a kept channel keeps its H*W consecutive features.
void flatten_kept(Carried& c, const Shape& shape) {
  const std::size_t spatial = shape.size() == 3 ? shape[1] * shape[2] : 1;
  std::vector<std::size_t> features;
  for (std::size_t ch : c.keep)
    for (std::size_t s = 0; s < spatial; ++s) features.push_back(ch * spatial + s);
  c.keep = features;
  c.flattened_spatial = spatial > 1;
}

// The layer of the copy for layers[i], updating what is carried to the next; a null module
// with a reason when it cannot be built.
std::pair<ModulePtr, std::string> compact_layer(const Sequential& model,
                                                const std::vector<Module*>& layers, std::size_t i,
                                                bool last_prunable, const Shape& shape,
                                                Carried& c) {
  const auto& [name, original] = model.children()[i];
  switch (original->channel_flow()) {
    case Flow::transforms: {
      const Parameter* w = own_parameter(*original, "weight");
      const auto rows = last_prunable ? all_indices(w->value.dim(0)) : alive_units(layers, i);
      ModulePtr m = original->compacted(c.keep, rows);
      c.keep = rows;
      c.flattened_spatial = false;
      return {m,
              m ? "" : "layer '" + name + "' (" + original->type_name() + ") cannot be compacted"};
    }
    case Flow::normalizes:
      if (c.flattened_spatial)
        return {nullptr, "layer '" + name + "': BatchNorm after a spatial flatten"};
      return {original->compacted(c.keep, c.keep), ""};
    case Flow::flattens: flatten_kept(c, shape); return {original, ""};
    case Flow::keeps_zeros: return {original, ""};  // stateless here: shared with the original
    case Flow::opaque: break;
  }
  return {nullptr, "layer '" + name + "' (" + original->type_name() + ") cannot be compacted"};
}

}  // namespace

CompactResult compact_model(Sequential& model, const Shape& input_shape) {
  std::vector<Module*> layers;
  std::size_t last_prunable = model.size();
  for (const auto& [name, layer] : model.children()) {
    if (!compactable(*layer))
      return {nullptr, "layer '" + name + "' (" + layer->type_name() + ") cannot be compacted"};
    if (transforms(*layer)) last_prunable = layers.size();
    layers.push_back(layer.get());
  }

  auto out = std::make_shared<Sequential>();
  Shape shape = input_shape;  // of the original model, per sample
  Carried carried{all_indices(shape[0]), false};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    auto [layer, reason] = compact_layer(model, layers, i, i == last_prunable, shape, carried);
    if (!layer) return {nullptr, reason};
    out->add(model.children()[i].first, layer);
    shape = layers[i]->output_shape(shape);
  }
  out->train(model.is_training());
  return {out, ""};
}

}  // namespace poda
