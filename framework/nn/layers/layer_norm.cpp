#include "nn/layers/layer_norm.h"

#include <string>
#include <xtensor/xbuilder.hpp>

#include "core/ops_transformer.h"
#include "nn/layer_spec.h"

namespace poda {

LayerNorm::LayerNorm(std::size_t features, float eps) : features_(features), eps_(eps) {
  if (features_ == 0) throw std::invalid_argument("LayerNorm: features must be at least 1");
  if (!(eps_ > 0.0f))
    throw std::invalid_argument("LayerNorm: eps must be positive, got " + std::to_string(eps_));
  gamma_ = &register_parameter("weight", xt::ones<float>({features_}), false);
  beta_ = &register_parameter("bias", zeros_array({features_}), false);
}

Variable LayerNorm::forward(const Variable& x) {
  return layer_norm(x, gamma_->effective(), beta_->effective(), eps_);
}

std::string LayerNorm::describe() const {
  return "LayerNorm(" + std::to_string(features_) + ")";
}

Shape LayerNorm::output_shape(const Shape& input) const {
  if (input.empty() || input.back() != features_)
    throw ShapeError("LayerNorm expects input (..., " + std::to_string(features_) + ") but gets " +
                     shape_str(input));
  return input;
}

ModulePtr LayerNorm::copied() const {
  auto n = std::make_shared<LayerNorm>(features_, eps_);
  const std::vector<std::size_t> all = all_indices(features_);
  gather_effective(*gamma_, all, {0}, 1, 1, n->weight());
  gather_effective(*beta_, all, {0}, 1, 1, n->bias());
  n->train(is_training());
  return n;
}

void LayerNorm::lower(Lowering& to) {
  to.layer_norm(folded_value(*gamma_), folded_value(*beta_), eps_);
}

namespace {
const LayerTypeRegistrar layer_norm_type(
    "layernorm",
    {{{"eps", KeyKind::number}},
     [](const LayerSpec& spec, const Shape& input, BuildContext&) -> ModulePtr {
       if (input.empty()) throw ShapeError("layernorm needs an input with a feature axis");
       const double eps = spec.number_or("eps", 1e-5);
       if (!(eps > 0.0))
         throw std::invalid_argument("layernorm: eps must be positive, got " + std::to_string(eps));
       return std::make_shared<LayerNorm>(input.back(), static_cast<float>(eps));
     },
     "normalises the last axis (a token's features): [eps: 1e-5]"});
}  // namespace

}  // namespace poda
