#include "measure/compact.h"

#include <algorithm>

#include "nn/layers/activation.h"
#include "nn/layers/avg_pool2d.h"
#include "nn/layers/batch_norm.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/dense.h"
#include "nn/layers/dropout.h"
#include "nn/layers/global_avg_pool.h"
#include "nn/layers/max_pool2d.h"

namespace poda {

namespace {

enum class Kind { dense, conv, batch_norm, channelwise, flatten, global_pool, unsupported };

Kind kind_of(Module* m) {
  if (dynamic_cast<Dense*>(m)) return Kind::dense;
  if (auto* c = dynamic_cast<Conv2d*>(m)) return c->settings().groups == 1 ? Kind::conv : Kind::unsupported;
  if (dynamic_cast<BatchNorm*>(m)) return Kind::batch_norm;
  // Layers that map a zero channel to a zero channel and keep channel indices.
  if (dynamic_cast<ReLU*>(m) || dynamic_cast<Tanh*>(m) || dynamic_cast<MaxPool2d*>(m) ||
      dynamic_cast<AvgPool2d*>(m) || dynamic_cast<Dropout*>(m))
    return Kind::channelwise;
  if (dynamic_cast<Flatten*>(m)) return Kind::flatten;
  if (dynamic_cast<GlobalAvgPool*>(m)) return Kind::global_pool;
  return Kind::unsupported;
}

// value ⊙ mask at flat index i.
float effective(const Parameter& p, std::size_t i) {
  const float v = p.value.data().data()[i];
  return p.has_mask() ? v * p.mask.data().data()[i] : v;
}

Parameter& weight_of(Module* m) {
  if (auto* d = dynamic_cast<Dense*>(m)) return d->weight();
  return dynamic_cast<Conv2d*>(m)->weight();
}

Parameter* bias_of(Module* m) {
  if (auto* d = dynamic_cast<Dense*>(m)) return d->bias();
  return dynamic_cast<Conv2d*>(m)->bias();
}

// Output units whose output is not constantly zero. A BatchNorm before the next prunable
// layer must map the unit to zero as well (γ = β = 0), or the unit stays.
std::vector<std::size_t> alive_units(const std::vector<Module*>& layers, std::size_t at) {
  Parameter& w = weight_of(layers[at]);
  const Parameter* b = bias_of(layers[at]);
  const std::size_t units = w.value.dim(0), per_unit = w.value.size() / units;
  std::vector<std::size_t> alive;
  for (std::size_t u = 0; u < units; ++u) {
    bool dead = !b || effective(*b, u) == 0.0f;
    for (std::size_t i = 0; dead && i < per_unit; ++i) dead = effective(w, u * per_unit + i) == 0.0f;
    for (std::size_t k = at + 1; dead && k < layers.size(); ++k) {
      const Kind kind = kind_of(layers[k]);
      if (kind == Kind::dense || kind == Kind::conv) break;
      if (auto* bn = dynamic_cast<BatchNorm*>(layers[k]))
        dead = effective(bn->weight(), u) == 0.0f && effective(bn->bias(), u) == 0.0f;
    }
    if (!dead) alive.push_back(u);
  }
  if (alive.empty()) alive.push_back(0);  // a fully pruned layer still needs a width
  return alive;
}

std::vector<std::size_t> all_indices(std::size_t n) {
  std::vector<std::size_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

void copy_rows(const Parameter& from, const std::vector<std::size_t>& rows,
               const std::vector<std::size_t>& cols, std::size_t inner, Parameter& to) {
  // from (R, C, inner) -> to (rows, cols, inner); inner = kH * kW for convs, 1 for Dense.
  const std::size_t C = from.value.dim(1);
  float* out = to.value.data().data();
  for (std::size_t r : rows)
    for (std::size_t c : cols)
      for (std::size_t k = 0; k < inner; ++k) *out++ = effective(from, (r * C + c) * inner + k);
}

void copy_entries(const Parameter& from, const std::vector<std::size_t>& keep, Parameter& to) {
  for (std::size_t i = 0; i < keep.size(); ++i) to.value.data().data()[i] = effective(from, keep[i]);
}

}  // namespace

CompactResult compact_model(Sequential& model, const Shape& input_shape) {
  std::vector<Module*> layers;
  std::vector<std::string> names;
  for (const auto& [name, layer] : model.children()) {
    if (kind_of(layer.get()) == Kind::unsupported)
      return {nullptr, "layer '" + name + "' (" + layer->type_name() + ") cannot be compacted"};
    layers.push_back(layer.get());
    names.push_back(name);
  }
  std::size_t last_prunable = layers.size();
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (kind_of(layers[i]) == Kind::dense || kind_of(layers[i]) == Kind::conv) last_prunable = i;

  auto out = std::make_shared<Sequential>();
  Rng rng(0);  // new layers' initial values are all overwritten
  Shape shape = input_shape;  // of the original model, per sample
  std::vector<std::size_t> keep = all_indices(shape[0]);  // kept channels or features
  bool flattened_spatial = false;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Module* layer = layers[i];
    const auto& original = model.children()[i].second;
    const Shape next_shape = layer->output_shape(shape);
    switch (kind_of(layer)) {
      case Kind::dense: {
        auto* d = dynamic_cast<Dense*>(layer);
        const auto rows = i == last_prunable ? all_indices(d->out_features()) : alive_units(layers, i);
        auto nd = std::make_shared<Dense>(keep.size(), rows.size(), d->bias() != nullptr,
                                          Init::kaiming_uniform, rng);
        copy_rows(d->weight(), rows, keep, 1, nd->weight());
        if (d->bias()) copy_entries(*d->bias(), rows, *nd->bias());
        out->add(names[i], nd);
        keep = rows;
        flattened_spatial = false;
        break;
      }
      case Kind::conv: {
        auto* c = dynamic_cast<Conv2d*>(layer);
        Conv2dSettings s = c->settings();
        const auto filters = i == last_prunable ? all_indices(s.out_channels) : alive_units(layers, i);
        s.in_channels = keep.size();
        s.out_channels = filters.size();
        auto nc = std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng);
        copy_rows(c->weight(), filters, keep, s.kernel * s.kernel, nc->weight());
        if (c->bias()) copy_entries(*c->bias(), filters, *nc->bias());
        out->add(names[i], nc);
        keep = filters;
        break;
      }
      case Kind::batch_norm: {
        auto* bn = dynamic_cast<BatchNorm*>(layer);
        if (flattened_spatial)
          return {nullptr, "layer '" + names[i] + "': BatchNorm after a spatial flatten"};
        auto nb = std::make_shared<BatchNorm>(keep.size(), bn->sample_rank(), bn->momentum(), bn->eps());
        copy_entries(bn->weight(), keep, nb->weight());
        copy_entries(bn->bias(), keep, nb->bias());
        for (std::size_t k = 0; k < keep.size(); ++k) {
          nb->running_mean().data()[k] = bn->running_mean().data()[keep[k]];
          nb->running_var().data()[k] = bn->running_var().data()[keep[k]];
        }
        out->add(names[i], nb);
        break;
      }
      case Kind::flatten: {
        // (C, H, W) -> C*H*W features: a kept channel keeps its H*W consecutive features.
        const std::size_t spatial = shape.size() == 3 ? shape[1] * shape[2] : 1;
        std::vector<std::size_t> features;
        for (std::size_t ch : keep)
          for (std::size_t s = 0; s < spatial; ++s) features.push_back(ch * spatial + s);
        keep = features;
        flattened_spatial = spatial > 1;
        out->add(names[i], original);
        break;
      }
      case Kind::channelwise:
      case Kind::global_pool:
        out->add(names[i], original);  // stateless here: shared with the original model
        break;
      case Kind::unsupported:
        break;  // rejected above
    }
    shape = next_shape;
  }
  out->train(model.is_training());
  return {out, ""};
}

}  // namespace poda
