#pragma once
// Element-wise activations.
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

class ReLU : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "ReLU"; }
  Shape output_shape(const Shape& input) const override { return input; }
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
};

class Tanh : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Tanh"; }
  Shape output_shape(const Shape& input) const override { return input; }
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
  void lower(Lowering& to) override;
};

// Opaque to pruning: a dead unit's zero becomes 0.5, so its consumer's inputs stay alive.
class Sigmoid : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Sigmoid"; }
  Shape output_shape(const Shape& input) const override { return input; }
  void lower(Lowering& to) override;
};

}  // namespace poda
