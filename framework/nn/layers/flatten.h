#pragma once
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// (B, d1, d2, ...) -> (B, d1 * d2 * ...)
class Flatten : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Flatten"; }
  Shape output_shape(const Shape& input) const override { return {numel(input)}; }
  ChannelFlow channel_flow() const override { return ChannelFlow::flattens; }
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
};

}  // namespace poda
