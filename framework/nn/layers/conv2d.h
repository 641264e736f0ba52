#pragma once
#include <cstdint>
#include <memory>

#include "core/ops.h"
#include "core/random.h"
#include "core/sparse_pattern.h"
#include "nn/init.h"
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

struct Conv2dSettings {
  std::size_t in_channels = 0, out_channels = 0, kernel = 1;
  std::size_t stride = 1, padding = 0, dilation = 1, groups = 1;  // square, same on H and W
  bool bias = true;
};

// y (B, C_out, H_out, W_out) = conv(x (B, C_in, H, W), weight ⊙ mask) + bias.
// weight is (C_out, C_in/groups, kH, kW): weight[o] is filter o (filter pruning zeroes it
// whole); weight[:, c] holds what every filter of a group sees of its input channel c
// (channel pruning zeroes that slice). Output channel o reads the input channels of group
// o / (C_out/groups); groups == C_in == C_out is a depthwise convolution.
class Conv2d : public Module {
 public:
  Conv2d(const Conv2dSettings& settings, Init init, Rng& rng);
  Variable forward(const Variable& x) override;
  // Conv2d then ReLU: one output pass (core's conv2d_relu).
  Variable forward_fused_with(const Variable& x, const Module& next) override;
  std::string type_name() const override { return "Conv2d"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  std::size_t macs(const Shape& input) const override;
  std::size_t effective_macs(const Shape& input) const override;
  ChannelFlow channel_flow() const override { return ChannelFlow::transforms; }
  std::size_t groups() const override { return settings_.groups; }
  // Grouped convolutions are not compacted (a kept channel would change groups), except a
  // depthwise one keeping the same channels in and out: nullptr.
  ModulePtr compacted(const std::vector<std::size_t>& in,
                      const std::vector<std::size_t>& out) const override;

  const Conv2dSettings& settings() const { return settings_; }
  Parameter& weight() { return *weight_; }
  Parameter* bias() { return bias_; }

 private:
  Conv2dSettings settings_;
  Conv2dOptions options_;
  Parameter* weight_;
  Parameter* bias_ = nullptr;
  // The sparse training path (core/sparse_conv2d.h) when it applies and is chosen, else
  // undefined; the mask's pattern is rebuilt when the mask's version moves on.
  Variable sparse_forward(const Variable& x);
  std::shared_ptr<SparsePattern> pattern_;
  std::uint64_t pattern_version_ = 0;
  // ---- inference lowering (nn/lowering.h) ----
 public:
  void lower(Lowering& to) override;
};

}  // namespace poda
