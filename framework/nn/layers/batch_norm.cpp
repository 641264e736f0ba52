#include "nn/layers/batch_norm.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "nn/layers/activation.h"
#include "nn/layer_spec.h"

namespace poda {

BatchNorm::BatchNorm(std::size_t channels, std::size_t sample_rank, float momentum, float eps)
    : channels_(channels), rank_(sample_rank), momentum_(momentum), eps_(eps) {
  if (sample_rank != 1 && sample_rank != 3)
    throw std::invalid_argument("BatchNorm: per-sample rank must be 1 (C) or 3 (C, H, W)");
  Array ones = empty_array({channels});
  ones.fill(1.0f);
  weight_ = &register_parameter("weight", ones, false);
  bias_ = &register_parameter("bias", zeros_array({channels}), false);
  running_mean_ = &register_buffer("running_mean", zeros_array({channels}));
  running_var_ = &register_buffer("running_var", ones);
}

Variable BatchNorm::forward(const Variable& x) {
  return batch_norm(x, weight_->effective(), bias_->effective(), *running_mean_, *running_var_,
                    is_training(), momentum_, eps_);
}

Variable BatchNorm::forward_fused_with(const Variable& x, const Module& next) {
  if (!dynamic_cast<const ReLU*>(&next)) return {};
  return batch_norm_relu(x, weight_->effective(), bias_->effective(), *running_mean_, *running_var_,
                         is_training(), momentum_, eps_);
}

std::string BatchNorm::describe() const {
  return type_name() + "(" + std::to_string(channels_) + ")";
}

Shape BatchNorm::output_shape(const Shape& input) const {
  if (input.size() != rank_ || input[0] != channels_)
    throw ShapeError(type_name() + " expects input (" + std::to_string(channels_) +
                     (rank_ == 3 ? ", H, W" : "") + ") but gets " + shape_str(input));
  return input;
}

ModulePtr BatchNorm::compacted(const std::vector<std::size_t>& in,
                               const std::vector<std::size_t>&) const {
  auto bn = std::make_shared<BatchNorm>(in.size(), rank_, momentum_, eps_);
  gather_effective(*weight_, in, {0}, 1, 1, bn->weight());
  gather_effective(*bias_, in, {0}, 1, 1, bn->bias());
  for (std::size_t k = 0; k < in.size(); ++k) {
    bn->running_mean().data()[k] = running_mean_->data()[in[k]];
    bn->running_var().data()[k] = running_var_->data()[in[k]];
  }
  return bn;
}

namespace {
const LayerTypeRegistrar batchnorm_type(
    "batchnorm",
    {{},
     [](const LayerSpec&, const Shape& input, BuildContext&) -> ModulePtr {
       // 1d or 2d from the incoming shape: (C) or (C, H, W).
       if (input.size() != 1 && input.size() != 3)
         throw ShapeError("BatchNorm expects input (C) or (C, H, W) but gets " + shape_str(input));
       return std::make_shared<BatchNorm>(input[0], input.size());
     },
     "batch normalisation over channels, 1d for (C), 2d for (C, H, W)"});
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

// Evaluation mode: y = (x - mean) / sqrt(var + eps) * gamma + beta = x * scale + shift.
void BatchNorm::lower(Lowering& to) {
  const Array gamma = folded_value(*weight_), beta = folded_value(*bias_);
  Array scale = empty_array({channels_}), shift = empty_array({channels_});
  for (std::size_t c = 0; c < channels_; ++c) {
    scale(c) = gamma(c) / std::sqrt((*running_var_)(c) + eps_);
    shift(c) = beta(c) - (*running_mean_)(c)*scale(c);
  }
  to.channel_affine(std::move(scale), std::move(shift));
}

}  // namespace poda
