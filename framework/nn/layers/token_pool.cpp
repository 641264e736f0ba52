// (T, D) -> (D): a ViT's sequence to one vector per sample, either the class token's output
// ("first", with a class_token layer before the blocks) or the mean over tokens ("mean").
#include <string>

#include "core/ops_transformer.h"
#include "nn/layer_spec.h"
#include "nn/lowering.h"

namespace poda {

namespace {

class TokenPool : public Module {
 public:
  explicit TokenPool(bool mean) : mean_(mean) {}
  Variable forward(const Variable& x) override { return mean_ ? mean_tokens(x) : first_token(x); }
  std::string type_name() const override { return "TokenPool"; }
  std::string describe() const override {
    return std::string("TokenPool(") + (mean_ ? "mean" : "first") + ")";
  }
  Shape output_shape(const Shape& input) const override {
    if (input.size() != 2 || numel(input) == 0)
      throw ShapeError("TokenPool expects tokens (T, D) but gets " + shape_str(input));
    return {input[1]};
  }
  void lower(Lowering& to) override { to.token_pool(mean_); }
  ModulePtr copied() const override { return std::make_shared<TokenPool>(mean_); }

 private:
  bool mean_;
};

const LayerTypeRegistrar token_pool_type(
    "token_pool",
    {{{"mode", KeyKind::text}},
     [](const LayerSpec& spec, const Shape&, BuildContext&) -> ModulePtr {
       const std::string mode = spec.strings.count("mode") ? spec.strings.at("mode") : "first";
       if (mode != "first" && mode != "mean")
         throw std::invalid_argument("token_pool: mode '" + mode + "' is not one of first, mean");
       return std::make_shared<TokenPool>(mode == "mean");
     },
     "(T, D) -> (D): [mode: first (the class token) | mean]"});

}  // namespace
}  // namespace poda
