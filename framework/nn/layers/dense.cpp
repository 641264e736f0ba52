#include "nn/layers/dense.h"

#include "core/ops.h"

namespace poda {

Dense::Dense(std::size_t in_features, std::size_t out_features, bool bias, Init init, Rng& rng)
    : in_(in_features), out_(out_features) {
  weight_ = &register_parameter("weight", init_weight({out_, in_}, init, rng), true);
  if (bias) bias_ = &register_parameter("bias", init_bias(out_, in_, init, rng), false);
}

Variable Dense::forward(const Variable& x) {
  return linear(x, weight_->effective(), bias_ ? bias_->effective() : Variable());
}

std::size_t Dense::effective_macs(const Shape& input) const {
  return count_nonzero_effective(*weight_);
}

std::string Dense::describe() const {
  return "Dense(" + std::to_string(in_) + " -> " + std::to_string(out_) +
         (bias_ ? "" : ", no bias") + ")";
}

Shape Dense::output_shape(const Shape& input) const {
  if (input.size() != 1 || input[0] != in_)
    throw ShapeError("Dense expects input (" + std::to_string(in_) + ") but gets " +
                     shape_str(input) + (input.size() > 1 ? " (add a flatten layer?)" : ""));
  return {out_};
}

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void Dense::lower(Lowering& to) {
  to.dense(folded_value(*weight_), bias_ ? folded_value(*bias_) : Array());
}

}  // namespace poda
