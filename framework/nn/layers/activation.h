#pragma once
// Element-wise activations.
#include "nn/module.h"

namespace poda {

class ReLU : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "ReLU"; }
  Shape output_shape(const Shape& input) const override { return input; }
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
};

class Tanh : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Tanh"; }
  Shape output_shape(const Shape& input) const override { return input; }
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
};

// Opaque to pruning: a dead unit's zero becomes 0.5, so its consumer's inputs stay alive.
class Sigmoid : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Sigmoid"; }
  Shape output_shape(const Shape& input) const override { return input; }
};

}  // namespace poda
