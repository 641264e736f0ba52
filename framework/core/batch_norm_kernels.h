#pragma once
// Batch-norm kernels over x (B, C, S), S = H*W (1 for (B, C) inputs), optionally fused with
// the ReLU that follows it: one pass over the activations forward and two backward, instead
// of two and three. Channels are split between the compute threads (parallel.h).
#include <cstddef>

#include "kernels/isa.h"

namespace poda {

struct BnDims {
  std::size_t B, C, S;
  std::size_t n() const { return B * S; }  // values per channel
};

// Per channel: mean (C) and the biased variance (C) of x over b and s.
void bn_batch_stats(const float* x, const BnDims& d, float* mean, float* var);

// y (B, C, S) = x * scale[c] + shift[c], then max(0, .) when relu.
void bn_apply(float* y, const float* x, const BnDims& d, const float* scale, const float* shift,
              bool relu);

// The statistics and parameters backward needs, per channel (C each).
struct BnSaved {
  const float* mean;
  const float* invstd;
  const float* gamma;
  const float* beta;
};

// Per channel: dbeta = sum g, dgamma = sum g * xhat, where g = dy, masked by the ReLU's
// (recomputed) output when relu; xhat = (x - mean) * invstd.
void bn_param_grads(float* dgamma, float* dbeta, const float* dy, const float* x, const BnDims& d,
                    const BnSaved& s, bool relu);

// dx (B, C, S) = (beta_x ? dx : 0) + gamma*invstd * (g - mean(g) - xhat * mean(g*xhat)) in
// training (the batch statistics depend on x), gamma*invstd * g in evaluation.
void bn_input_grad(float* dx, float beta_x, const float* dy, const float* x, const BnDims& d,
                   const BnSaved& s, const float* dgamma, const float* dbeta, bool training,
                   bool relu);

// One channel's constants for the per-channel kernels below: y = x * a + shift forward;
// backward the input gradient is a * g + c1 * x + c0 (c1, c0 fold the batch statistics' terms).
struct BnChannel {
  float a, shift, mu, c1, c0;
};

// The per-channel loops, one build per kernel target (kernels/batch_norm.inl, built by
// kernels/target_*.cpp); channel c of x (B, C, S) is B planes of S floats `stride` apart.
struct BatchNormKernels {
  // sum = Σ (x - x0), sq = Σ (x - x0)^2
  void (*channel_sums)(const float* x, std::size_t B, std::size_t stride, std::size_t S,
                       float x0, double& sum, double& sq);
  // y = max(floor, x * a + s), floor 0 with relu, else none
  void (*channel_apply)(float* y, const float* x, std::size_t B, std::size_t stride,
                        std::size_t S, float a, float s, bool relu);
  // sb = Σ g, sg = Σ g * (x - mu), g = dy, zero where relu and x * a + shift <= 0
  void (*channel_param_sums)(const float* x, const float* dy, std::size_t B, std::size_t stride,
                             std::size_t S, const BnChannel& c, bool relu, double& sb,
                             double& sg);
  // dx = (accumulate ? dx : 0) + a * g + c1 * x + c0, g as above
  void (*channel_input_grad)(float* dx, bool accumulate, const float* x, const float* dy,
                             std::size_t B, std::size_t stride, std::size_t S, const BnChannel& c,
                             bool relu);
};
const IsaTable<BatchNormKernels>& batch_norm_kernels();

namespace kernels {
extern const BatchNormKernels batch_norm_scalar, batch_norm_avx2;
}  // namespace kernels

}  // namespace poda
