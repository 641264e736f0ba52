#include "nn/layers/sequential.h"

namespace poda {

Sequential& Sequential::add(const std::string& name, ModulePtr layer) {
  register_module(name, std::move(layer));
  return *this;
}

ModulePtr Sequential::with_children(
    const std::vector<std::pair<std::string, ModulePtr>>& children) const {
  auto s = std::make_shared<Sequential>();
  for (const auto& [name, child] : children) s->add(name, child);
  s->train(is_training());
  return s;
}

Variable Sequential::forward(const Variable& x) {
  Variable h = x;
  const auto& layers = children();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Module& layer = *layers[i].second;
    // A pair with a fused kernel runs as one op (one pass over the activations each way),
    // unless an observer wants to see the intermediate output.
    if (i + 1 < layers.size() && !layer.observed()) {
      Variable fused = layer.forward_fused_with(h, *layers[i + 1].second);
      if (fused.defined()) {
        h = std::move(fused);
        ++i;
        continue;
      }
    }
    h = layer(h);
  }
  return h;
}

Shape Sequential::output_shape(const Shape& input) const {
  Shape shape = input;
  for (const auto& [name, layer] : children()) {
    try {
      shape = layer->output_shape(shape);
    } catch (const ShapeError& e) {
      throw ShapeError("layer '" + name + "': " + e.what());
    }
  }
  return shape;
}

namespace {
// Sums a per-layer cost, each layer seeing the shape its predecessor produces.
template <class Cost>
std::size_t sum_over_layers(const Sequential& seq, const Shape& input, Cost cost) {
  std::size_t total = 0;
  Shape shape = input;
  for (const auto& [name, layer] : seq.children()) {
    total += cost(*layer, shape);
    shape = layer->output_shape(shape);
  }
  return total;
}
}  // namespace

std::size_t Sequential::macs(const Shape& input) const {
  return sum_over_layers(*this, input, [](const Module& m, const Shape& s) { return m.macs(s); });
}

std::size_t Sequential::effective_macs(const Shape& input) const {
  return sum_over_layers(*this, input,
                         [](const Module& m, const Shape& s) { return m.effective_macs(s); });
}

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void Sequential::lower(Lowering& to) {
  for (const auto& [name, layer] : children()) {
    to.push_name(name);
    layer->lower(to);
    to.pop_name();
  }
}

}  // namespace poda
