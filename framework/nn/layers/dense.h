#pragma once
#include "core/random.h"
#include "nn/init.h"
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// y (B, out) = x (B, in) @ (weight ⊙ mask)^T + bias. weight is (out, in): row r is the
// incoming weights of neuron r, which is what neuron pruning removes.
class Dense : public Module {
 public:
  Dense(std::size_t in_features, std::size_t out_features, bool bias, Init init, Rng& rng);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Dense"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  std::size_t macs(const Shape& input) const override { return in_ * out_; }
  std::size_t effective_macs(const Shape& input) const override;
  ChannelFlow channel_flow() const override { return ChannelFlow::transforms; }
  ModulePtr compacted(const std::vector<std::size_t>& in,
                      const std::vector<std::size_t>& out) const override;

  std::size_t in_features() const { return in_; }
  std::size_t out_features() const { return out_; }
  Parameter& weight() { return *weight_; }
  Parameter* bias() { return bias_; }

 private:
  std::size_t in_, out_;
  Parameter* weight_;
  Parameter* bias_ = nullptr;
  // ---- inference lowering (nn/lowering.h) ----
 public:
  void lower(Lowering& to) override;
};

}  // namespace poda
