// GELU (Hendrycks & Gimpel 2016), the erf form: PyTorch's nn.GELU() default.
#include "core/ops_transformer.h"
#include "nn/layer_spec.h"
#include "nn/lowering.h"

namespace poda {

namespace {

class GELU : public Module {
 public:
  Variable forward(const Variable& x) override { return gelu(x); }
  std::string type_name() const override { return "GELU"; }
  Shape output_shape(const Shape& input) const override { return input; }
  // gelu(0) = 0: a dead unit stays dead through it, as through ReLU.
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
  void lower(Lowering& to) override { to.gelu(); }
};

const LayerTypeRegistrar gelu_type("gelu",
                                   {{},
                                    [](const LayerSpec&, const Shape&, BuildContext&) -> ModulePtr {
                                      return std::make_shared<GELU>();
                                    },
                                    "x * Phi(x), exact (erf) form as PyTorch's nn.GELU()"});

}  // namespace
}  // namespace poda
