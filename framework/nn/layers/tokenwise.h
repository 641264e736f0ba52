#pragma once
#include <memory>

#include "nn/layers/sequential.h"

namespace poda {

// Runs its layers on every token on its own: (T, D) -> (T, D'), the layers seeing per-sample
// shape (D) and each token as one row of the batch (a transformer's MLP, Dense then GELU then
// Dense). Parameter names "<layer>..." as in a Sequential.
class Tokenwise : public Module {
 public:
  explicit Tokenwise(std::shared_ptr<Sequential> body);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Tokenwise"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  std::size_t macs(const Shape& input) const override;
  std::size_t effective_macs(const Shape& input) const override;
  // Its layers run one after another on one token's features: zeros and units are traced
  // along them as along a Sequential (an MLP's hidden neurons are prunable units).
  bool chains_children() const override { return true; }
  ModulePtr with_children(
      const std::vector<std::pair<std::string, ModulePtr>>& children) const override;

  Sequential& body() { return *body_; }
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)

 private:
  std::shared_ptr<Sequential> body_;
};

}  // namespace poda
