// A new layer type: LeakyReLU, y = relu(x) - slope * relu(-x), built from poda's autograd
// ops so its backward comes for free. YAML: {type: leaky_relu, slope: 0.1}.
#include "core/ops.h"
#include "nn/layer_spec.h"
#include "nn/module.h"

namespace example {
namespace {

using namespace poda;

class LeakyRelu : public Module {
 public:
  explicit LeakyRelu(float slope) : slope_(slope) {}
  Variable forward(const Variable& x) override {
    return sub(relu(x), scale(relu(scale(x, -1.0f)), slope_));
  }
  std::string type_name() const override { return "LeakyReLU"; }
  Shape output_shape(const Shape& input) const override { return input; }
  // A zero channel stays zero at its index: pruning traces dead units through it.
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }

 private:
  float slope_;
};

const LayerTypeRegistrar reg("leaky_relu",
                             {{{"slope", KeyKind::number}},
                              [](const LayerSpec& spec, const Shape&, BuildContext&) -> ModulePtr {
                                return std::make_shared<LeakyRelu>(
                                    static_cast<float>(spec.number_or("slope", 0.1)));
                              },
                              "relu(x) - slope * relu(-x) (example)"});

}  // namespace
}  // namespace example
