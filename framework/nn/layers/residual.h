#pragma once
#include "nn/lowering.h"
#include <memory>

#include "nn/layers/sequential.h"

namespace poda {

// y = body(x) + shortcut(x), the shortcut being the identity when absent (He et al. 2016).
// The block's activation, if any, is a separate layer after it. Parameter names:
// "body.<layer>..." and "shortcut.<layer>...".
class Residual : public Module {
 public:
  Residual(std::shared_ptr<Sequential> body, std::shared_ptr<Sequential> shortcut);
  Variable forward(const Variable& x) override;
  // Followed by a ReLU: the sum and the ReLU as one op (add_relu).
  Variable forward_fused_with(const Variable& x, const Module& next) override;
  std::string type_name() const override { return "Residual"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  std::size_t macs(const Shape& input) const override;
  std::size_t effective_macs(const Shape& input) const override;

  bool sums_children() const override { return true; }
  bool adds_input() const override { return !shortcut_; }
  ModulePtr with_children(
      const std::vector<std::pair<std::string, ModulePtr>>& children) const override;

  Sequential& body() { return *body_; }
  Sequential* shortcut() { return shortcut_.get(); }

 private:
  std::shared_ptr<Sequential> body_;
  std::shared_ptr<Sequential> shortcut_;  // null = identity
                                          // ---- inference lowering (nn/lowering.h) ----
 public:
  void lower(Lowering& to) override;
};

}  // namespace poda
