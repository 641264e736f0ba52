#pragma once
// Parameter-free layers: activations and flatten.
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

class ReLU : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "ReLU"; }
  Shape output_shape(const Shape& input) const override { return input; }
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
};

class Tanh : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Tanh"; }
  Shape output_shape(const Shape& input) const override { return input; }
  void lower(Lowering& to) override;
};

class Sigmoid : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Sigmoid"; }
  Shape output_shape(const Shape& input) const override { return input; }
  void lower(Lowering& to) override;
};

// (B, d1, d2, ...) -> (B, d1 * d2 * ...)
class Flatten : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Flatten"; }
  Shape output_shape(const Shape& input) const override { return {numel(input)}; }
  void lower(Lowering& to) override;
};

}  // namespace poda
