#include "nn/layers/activation.h"

#include "core/ops.h"
#include "nn/layer_spec.h"

namespace poda {

Variable ReLU::forward(const Variable& x) {
  return relu(x);
}
Variable Tanh::forward(const Variable& x) {
  return poda::tanh(x);
}
Variable Sigmoid::forward(const Variable& x) {
  return sigmoid(x);
}

namespace {

template <class M>
LayerType activation_type(const std::string& help) {
  return {{},
          [](const LayerSpec&, const Shape&, BuildContext&) -> ModulePtr {
            return std::make_shared<M>();
          },
          help};
}

const LayerTypeRegistrar relu_type("relu", activation_type<ReLU>("max(x, 0)"));
const LayerTypeRegistrar tanh_type("tanh", activation_type<Tanh>("tanh(x)"));
const LayerTypeRegistrar sigmoid_type("sigmoid", activation_type<Sigmoid>("1 / (1 + e^-x)"));

}  // namespace
}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void ReLU::lower(Lowering& to) {
  to.relu();
}
void Tanh::lower(Lowering& to) {
  to.tanh();
}
void Sigmoid::lower(Lowering& to) {
  to.sigmoid();
}

}  // namespace poda
