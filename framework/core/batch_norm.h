#pragma once
// Batch-norm kernels over x (B, C, S), S = H*W (1 for (B, C) inputs), optionally fused with
// the ReLU that follows it: one pass over the activations forward and two backward, instead
// of two and three. Channels are split between the compute threads (parallel.h).
#include <cstddef>

#include "kernels/batch_norm_kernels.h"

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

}  // namespace poda
