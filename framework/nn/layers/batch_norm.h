#pragma once
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// Batch normalisation over the channel axis: BatchNorm1d for per-sample inputs (C),
// BatchNorm2d for (C, H, W). Training normalises with the batch's statistics and updates the
// running ones (momentum 0.1, unbiased running variance, as PyTorch); evaluation uses the
// running ones. Parameters "weight" (gamma, not prunable by default) and "bias" (beta);
// buffers "running_mean" and "running_var".
class BatchNorm : public Module {
 public:
  // sample_rank: 1 for (C), 3 for (C, H, W).
  BatchNorm(std::size_t channels, std::size_t sample_rank, float momentum = 0.1f,
            float eps = 1e-5f);
  Variable forward(const Variable& x) override;
  // BatchNorm then ReLU: one fused pass (core's batch_norm_relu).
  Variable forward_fused_with(const Variable& x, const Module& next) override;
  std::string type_name() const override { return rank_ == 1 ? "BatchNorm1d" : "BatchNorm2d"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  ChannelFlow channel_flow() const override { return ChannelFlow::normalizes; }
  // Keeps channels `in` (== out), with their γ, β and running statistics.
  ModulePtr compacted(const std::vector<std::size_t>& in,
                      const std::vector<std::size_t>& out) const override;

  Parameter& weight() { return *weight_; }
  Parameter& bias() { return *bias_; }
  Array& running_mean() { return *running_mean_; }
  Array& running_var() { return *running_var_; }
  std::size_t channels() const { return channels_; }
  std::size_t sample_rank() const { return rank_; }
  float momentum() const { return momentum_; }
  // The weight of the next training batch in the running statistics; re-estimation
  // (prune/bn_recalibration.h) sets 1/k on the k-th batch for their plain mean.
  void set_momentum(float momentum) { momentum_ = momentum; }
  float eps() const { return eps_; }

 private:
  std::size_t channels_, rank_;
  float momentum_, eps_;
  Parameter* weight_;
  Parameter* bias_;
  Array* running_mean_;
  Array* running_var_;
  // ---- inference lowering (nn/lowering.h) ----
 public:
  void lower(Lowering& to) override;
};

}  // namespace poda
