#pragma once
// The batch-norm per-channel loops, one build per kernel target (kernels/batch_norm.inl,
// built by kernels/target_*.cpp); core/batch_norm.h splits the channels between threads
// and computes each channel's constants.
#include <cstddef>

#include "kernels/isa.h"

namespace poda {

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
extern const BatchNormKernels batch_norm_scalar, batch_norm_avx2, batch_norm_avx512;
}  // namespace kernels

}  // namespace poda
