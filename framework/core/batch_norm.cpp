// Batch norm on whole tensors: the per-channel constants, channels split between the threads,
// and the loops of the active kernel target (kernels/batch_norm_kernels.h).
#include "core/batch_norm.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"

namespace poda {

namespace {

// Runs body(c) for every channel, channels split between the threads.
template <class F>
void for_channels(std::size_t C, F body) {
  parallel_for(C, [&](std::size_t lo, std::size_t hi, int) {
    for (std::size_t c = lo; c < hi; ++c) body(c);
  });
}

const BatchNormKernels& active() {
  return batch_norm_kernels().active();
}

// The forward's y = x * a + shift of channel c, and its mean.
BnChannel channel_of(const BnSaved& s, std::size_t c) {
  const float mu = s.mean[c], a = s.gamma[c] * s.invstd[c];
  return {a, s.beta[c] - mu * a, mu, 0.0f, 0.0f};
}

}  // namespace

void bn_batch_stats(const float* x, const BnDims& d, float* mean, float* var) {
  const BatchNormKernels& k = active();
  for_channels(d.C, [&](std::size_t c) {
    // One pass over x - x0 (x0 the channel's first value, so E[v^2] - E[v]^2 does not cancel
    // for channels with a large mean); float sums per plane, double across planes.
    const float x0 = x[c * d.S];
    double sum, sq;
    k.channel_sums(x + c * d.S, d.B, d.C * d.S, d.S, x0, sum, sq);
    const double n = static_cast<double>(d.n()), m = sum / n;
    mean[c] = static_cast<float>(x0 + m);
    var[c] = static_cast<float>(std::max(sq / n - m * m, 0.0));
  });
}

void bn_apply(float* y, const float* x, const BnDims& d, const float* scale, const float* shift,
              bool relu) {
  const BatchNormKernels& k = active();
  for_channels(d.C, [&](std::size_t c) {
    k.channel_apply(y + c * d.S, x + c * d.S, d.B, d.C * d.S, d.S, scale[c], shift[c], relu);
  });
}

void bn_param_grads(float* dgamma, float* dbeta, const float* dy, const float* x, const BnDims& d,
                    const BnSaved& s, bool relu) {
  const BatchNormKernels& k = active();
  for_channels(d.C, [&](std::size_t c) {
    double sb, sg;
    k.channel_param_sums(x + c * d.S, dy + c * d.S, d.B, d.C * d.S, d.S, channel_of(s, c), relu,
                         sb, sg);
    dbeta[c] = static_cast<float>(sb);
    dgamma[c] = static_cast<float>(sg) * s.invstd[c];
  });
}

void bn_input_grad(float* dx, float beta_x, const float* dy, const float* x, const BnDims& d,
                   const BnSaved& s, const float* dgamma, const float* dbeta, bool training,
                   bool relu) {
  const BatchNormKernels& k = active();
  const float inv_n = 1.0f / static_cast<float>(d.n());
  for_channels(d.C, [&](std::size_t c) {
    BnChannel ch = channel_of(s, c);
    const float is = s.invstd[c];
    const float mean_g = training ? dbeta[c] * inv_n : 0.0f;
    const float mean_gx = training ? dgamma[c] * inv_n : 0.0f;
    // a * (g - mean_g - (x - mu) * is * mean_gx) = a * g + c1 * x + c0
    ch.c1 = -ch.a * is * mean_gx;
    ch.c0 = ch.a * (ch.mu * is * mean_gx - mean_g);
    k.channel_input_grad(dx + c * d.S, beta_x != 0.0f, x + c * d.S, dy + c * d.S, d.B,
                         d.C * d.S, d.S, ch, relu);
  });
}

}  // namespace poda
