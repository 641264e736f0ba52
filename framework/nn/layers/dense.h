#pragma once
#include <memory>

#include "core/random.h"
#include "core/sparse_pattern.h"
#include "nn/init.h"
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// y (B, out) = x (B, in) @ (weight ⊙ mask)^T + bias. weight is (out, in): row r is the
// incoming weights of neuron r, which is what neuron pruning removes. With a mask, the
// forward may run the sparse training path over the mask's pattern instead (core/
// sparse_linear.h): same results up to reassociation, taken where it was timed faster.
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
  // The sparse path's output, or an undefined Variable when the dense path is to run.
  Variable sparse_forward(const Variable& x);

  std::size_t in_, out_;
  Parameter* weight_;
  Parameter* bias_ = nullptr;
  // The weight mask's pattern, rebuilt when the mask's version moves on.
  std::shared_ptr<SparsePattern> pattern_;
  std::uint64_t pattern_version_ = 0;
  // ---- inference lowering (nn/lowering.h) ----
 public:
  void lower(Lowering& to) override;
};

}  // namespace poda
