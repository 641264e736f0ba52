#include "nn/layers/sequential.h"

#include "nn/layers/activation.h"
#include "nn/layers/batch_norm.h"

namespace poda {

Sequential& Sequential::add(const std::string& name, ModulePtr layer) {
  register_module(name, std::move(layer));
  return *this;
}

Variable Sequential::forward(const Variable& x) {
  Variable h = x;
  const auto& layers = children();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    // BatchNorm then ReLU runs as one fused op: one pass over the activations each way.
    auto* bn = dynamic_cast<BatchNorm*>(layers[i].second.get());
    if (bn && i + 1 < layers.size() && dynamic_cast<ReLU*>(layers[i + 1].second.get())) {
      h = bn->forward_relu(h);
      ++i;
    } else {
      h = layers[i].second->forward(h);
    }
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
