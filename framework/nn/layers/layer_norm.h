#pragma once
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// Normalises each sample's last axis (a token's features) by its own mean and variance, then
// applies a per-feature gain and shift (Ba et al. 2016; PyTorch's nn.LayerNorm(D)).
// Parameters "weight" (gamma, ones) and "bias" (beta, zeros), never pruned.
class LayerNorm : public Module {
 public:
  LayerNorm(std::size_t features, float eps);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "LayerNorm"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
  ModulePtr copied() const override;  // compaction crosses it where all features stay

  std::size_t features() const { return features_; }
  float eps() const { return eps_; }
  Parameter& weight() { return *gamma_; }
  Parameter& bias() { return *beta_; }

 private:
  std::size_t features_;
  float eps_;
  Parameter* gamma_;
  Parameter* beta_;
};

}  // namespace poda
