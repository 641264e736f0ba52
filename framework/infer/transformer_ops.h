#pragma once
// The steps of an inference plan that a transformer adds, all batch-major on tokens
// (B, T, D): LayerNorm, the patch-to-token transpose, the class token and positions, pooling,
// and multi-head self-attention as one step (its four projections as GEMMs over the B*T rows,
// the heads as strided GEMMs, core/ops_attention.cpp's layout). GELU is an ActivationOp.
#include <vector>

#include "infer/op.h"
#include "nn/lowering.h"

namespace poda {

void gelu_activation(const float* x, float* y, std::size_t n);  // an ActivationOp::Fn

// Each row of the last axis normalised, then * gamma + beta; in place or slot to slot.
class LayerNormOp : public InferOp {
 public:
  LayerNormOp(Array gamma, Array beta, float eps)
      : gamma_(gamma.begin(), gamma.end()), beta_(beta.begin(), beta.end()), eps_(eps) {}
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return "LayerNorm"; }

 private:
  std::vector<float> gamma_, beta_;
  float eps_;
};

// (B, C, H, W) -> (B, H*W, C)
class ToTokensOp : public InferOp {
 public:
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return "ToTokens"; }
};

// (B, T, D) -> (B, T+1, D) with the token first.
class PrependTokenOp : public InferOp {
 public:
  explicit PrependTokenOp(Array token) : token_(token.begin(), token.end()) {}
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return "ClassToken"; }

 private:
  std::vector<float> token_;
};

// (B, T, D) + position (T, D); in place or slot to slot.
class AddPositionsOp : public InferOp {
 public:
  explicit AddPositionsOp(Array position) : position_(position.begin(), position.end()) {}
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return "PositionalEmbedding"; }

 private:
  std::vector<float> position_;
};

// (B, T, D) -> (B, D): token 0 or the mean over tokens.
class TokenPoolOp : public InferOp {
 public:
  explicit TokenPoolOp(bool mean) : mean_(mean) {}
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return mean_ ? "TokenPool(mean)" : "TokenPool(first)"; }

 private:
  bool mean_;
};

// (B, T, D) -> (B, T, D), slot to slot.
class AttentionOp : public InferOp {
 public:
  AttentionOp(std::string name, AttentionWeights weights);
  void reserve(std::size_t batch) override;
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
  std::size_t macs() const override;  // per sample: 4 T D^2 + 2 T^2 D
  // The projections run dense on both paths.
  std::size_t bytes_dense() const override;
  std::size_t bytes_sparse() const override { return bytes_dense(); }

 private:
  std::string name_;
  AttentionWeights w_;
  std::vector<float> q_, k_, v_, mixed_, scores_;  // (B, T, D) each; (B, heads, T, T)
};

}  // namespace poda
