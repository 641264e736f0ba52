// (C, H, W) -> (H*W, C): each position of a feature map becomes a token whose features are
// its channels (a patch embedding's strided convolution, then this).
#include "core/ops_transformer.h"
#include "nn/layer_spec.h"
#include "nn/lowering.h"

namespace poda {

namespace {

class ToTokens : public Module {
 public:
  Variable forward(const Variable& x) override { return channels_to_tokens(x); }
  std::string type_name() const override { return "ToTokens"; }
  Shape output_shape(const Shape& input) const override {
    if (input.size() != 3 || numel(input) == 0)
      throw ShapeError("ToTokens expects a feature map (C, H, W) but gets " + shape_str(input));
    return {input[1] * input[2], input[0]};
  }
  void lower(Lowering& to) override { to.to_tokens(); }
  ModulePtr copied() const override { return std::make_shared<ToTokens>(); }
};

const LayerTypeRegistrar to_tokens_type(
    "to_tokens", {{},
                  [](const LayerSpec&, const Shape&, BuildContext&) -> ModulePtr {
                    return std::make_shared<ToTokens>();
                  },
                  "(C, H, W) -> (H*W, C): one token per position, its channels as features"});

}  // namespace
}  // namespace poda
