#pragma once
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// (B, C, H, W) -> (B, C): the mean of each channel's plane (ResNet's head).
class GlobalAvgPool : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "GlobalAvgPool"; }
  Shape output_shape(const Shape& input) const override;
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
};

}  // namespace poda
