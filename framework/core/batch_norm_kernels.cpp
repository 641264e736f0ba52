#include "core/batch_norm_kernels.h"

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

// (sum of u, sum of v) over k in [0, n), where f(k, u, v) gives the terms, in 16 float lanes:
// one accumulator is a serial chain the compiler may not reorder; sixteen vectorise.
template <class F>
inline void sum_pairs(std::size_t n, F f, float& sum_u, float& sum_v) {
  float a[16] = {}, b[16] = {};
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16)
    for (std::size_t l = 0; l < 16; ++l) {
      float u, v;
      f(k + l, u, v);
      a[l] += u;
      b[l] += v;
    }
  for (; k < n; ++k) {
    float u, v;
    f(k, u, v);
    a[0] += u;
    b[0] += v;
  }
  sum_u = sum_v = 0.0f;
  for (std::size_t l = 0; l < 16; ++l) {
    sum_u += a[l];
    sum_v += b[l];
  }
}

}  // namespace

void bn_batch_stats(const float* x, const BnDims& d, float* mean, float* var) {
  for_channels(d.C, [&](std::size_t c) {
    // One pass over x - x0 (x0 the channel's first value, so E[v^2] - E[v]^2 does not cancel
    // for channels with a large mean); float sums per plane, double across planes.
    const float x0 = x[c * d.S];
    double sum = 0.0, sq = 0.0;
    for (std::size_t b = 0; b < d.B; ++b) {
      const float* p = x + (b * d.C + c) * d.S;  // (S)
      float ps, pq;
      sum_pairs(
          d.S,
          [&](std::size_t k, float& u, float& v) {
            u = p[k] - x0;
            v = u * u;
          },
          ps, pq);
      sum += ps;
      sq += pq;
    }
    const double n = static_cast<double>(d.n()), m = sum / n;
    mean[c] = static_cast<float>(x0 + m);
    var[c] = static_cast<float>(std::max(sq / n - m * m, 0.0));
  });
}

void bn_apply(float* y, const float* x, const BnDims& d, const float* scale, const float* shift,
              bool relu) {
  for_channels(d.C, [&](std::size_t c) {
    const float a = scale[c], s = shift[c];
    for (std::size_t b = 0; b < d.B; ++b) {
      const float* p = x + (b * d.C + c) * d.S;
      float* q = y + (b * d.C + c) * d.S;
      if (relu)
        for (std::size_t k = 0; k < d.S; ++k) q[k] = std::max(p[k] * a + s, 0.0f);
      else
        for (std::size_t k = 0; k < d.S; ++k) q[k] = p[k] * a + s;
    }
  });
}

void bn_param_grads(float* dgamma, float* dbeta, const float* dy, const float* x, const BnDims& d,
                    const BnSaved& s, bool relu) {
  for_channels(d.C, [&](std::size_t c) {
    const float mu = s.mean[c], a = s.gamma[c] * s.invstd[c], sh = s.beta[c] - mu * a;
    double sb = 0.0, sg = 0.0;
    for (std::size_t b = 0; b < d.B; ++b) {
      const float* p = x + (b * d.C + c) * d.S;
      const float* g = dy + (b * d.C + c) * d.S;
      float pb, pg;
      // With relu, g is dy where the fused ReLU's output (recomputed from x) was positive.
      sum_pairs(
          d.S,
          [&](std::size_t k, float& u, float& v) {
            u = relu && p[k] * a + sh <= 0.0f ? 0.0f : g[k];
            v = u * (p[k] - mu);
          },
          pb, pg);
      sb += pb;
      sg += pg;
    }
    dbeta[c] = static_cast<float>(sb);
    dgamma[c] = static_cast<float>(sg) * s.invstd[c];
  });
}

void bn_input_grad(float* dx, float beta_x, const float* dy, const float* x, const BnDims& d,
                   const BnSaved& s, const float* dgamma, const float* dbeta, bool training,
                   bool relu) {
  const float inv_n = 1.0f / static_cast<float>(d.n());
  for_channels(d.C, [&](std::size_t c) {
    const float mu = s.mean[c], is = s.invstd[c], a = s.gamma[c] * is, sh = s.beta[c] - mu * a;
    const float mean_g = training ? dbeta[c] * inv_n : 0.0f;
    const float mean_gx = training ? dgamma[c] * inv_n : 0.0f;
    for (std::size_t b = 0; b < d.B; ++b) {
      const float* p = x + (b * d.C + c) * d.S;
      const float* g = dy + (b * d.C + c) * d.S;
      float* q = dx + (b * d.C + c) * d.S;
      for (std::size_t k = 0; k < d.S; ++k) {
        const float gk = relu && p[k] * a + sh <= 0.0f ? 0.0f : g[k];
        const float v = a * (gk - mean_g - (p[k] - mu) * is * mean_gx);
        q[k] = beta_x == 0.0f ? v : q[k] + v;
      }
    }
  });
}

}  // namespace poda
