#pragma once
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// Runs its children in order. Children are named ("fc1", "conv2", or "0", "1", ...), and
// the names become the prefixes of parameter names.
class Sequential : public Module {
 public:
  Sequential& add(const std::string& name, ModulePtr layer);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Sequential"; }
  // Chains the children's shape inference; errors name the failing child.
  Shape output_shape(const Shape& input) const override;
  std::size_t macs(const Shape& input) const override;
  std::size_t effective_macs(const Shape& input) const override;
  std::size_t size() const { return children().size(); }
  bool chains_children() const override { return true; }
  ModulePtr with_children(
      const std::vector<std::pair<std::string, ModulePtr>>& children) const override;
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
};

}  // namespace poda
