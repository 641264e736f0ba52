// Batch normalisation (Ioffe & Szegedy 2015) over (B, C) or (B, C, H, W), forward and backward.
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "core/profile.h"

namespace poda {

Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    Array& running_mean, Array& running_var, bool training, float momentum,
                    float eps) {
  const std::size_t rank = x.data().dimension();
  if ((rank != 2 && rank != 4) || gamma.size() != x.dim(1) || beta.size() != x.dim(1) ||
      running_mean.size() != x.dim(1) || running_var.size() != x.dim(1))
    throw std::invalid_argument("batch_norm: input " + shape_str(x.shape()) + " with gamma " +
                                shape_str(gamma.shape()) + " (expected (B, C) or (B, C, H, W))");
  ProfileScope scope(ProfileOp::batch_norm);
  const std::size_t B = x.dim(0), C = x.dim(1), S = rank == 4 ? x.dim(2) * x.dim(3) : 1;
  const std::size_t n = B * S;  // values per channel
  if (training && n < 2)
    throw std::invalid_argument("batch_norm: training needs more than one value per channel, "
                                "got input " + shape_str(x.shape()));
  const float* px = x.data().data();  // (B, C, S)
  // Per-channel statistics the backward pass needs: shapes-and-scalars sized, C each.
  std::vector<float> mean(C), invstd(C);
  for (std::size_t c = 0; c < C; ++c) {
    if (!training) {
      mean[c] = running_mean.data()[c];
      invstd[c] = 1.0f / std::sqrt(running_var.data()[c] + eps);
      continue;
    }
    double sum = 0.0;
    for (std::size_t b = 0; b < B; ++b) {
      const float* p = px + (b * C + c) * S;
      for (std::size_t k = 0; k < S; ++k) sum += p[k];
    }
    const double mu = sum / static_cast<double>(n);
    double sq = 0.0;
    for (std::size_t b = 0; b < B; ++b) {
      const float* p = px + (b * C + c) * S;
      for (std::size_t k = 0; k < S; ++k) {
        const double dv = p[k] - mu;
        sq += dv * dv;
      }
    }
    const double var = sq / static_cast<double>(n);
    mean[c] = static_cast<float>(mu);
    invstd[c] = static_cast<float>(1.0 / std::sqrt(var + eps));
    float& rm = running_mean.data()[c];
    float& rv = running_var.data()[c];
    rm = (1.0f - momentum) * rm + momentum * static_cast<float>(mu);
    rv = (1.0f - momentum) * rv +
         momentum * static_cast<float>(var * static_cast<double>(n) / static_cast<double>(n - 1));
  }

  Array y = empty_array(x.shape());
  float* py = y.data();
  const float* pg = gamma.data().data();
  const float* pb = beta.data().data();
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t c = 0; c < C; ++c) {
      // y = x * scale + shift, the normalisation and affine map folded per channel.
      const float scale = pg[c] * invstd[c], shift = pb[c] - mean[c] * scale;
      const float* p = px + (b * C + c) * S;
      float* q = py + (b * C + c) * S;
      for (std::size_t k = 0; k < S; ++k) q[k] = p[k] * scale + shift;
    }

  return Variable::from_op(std::move(y), {x, gamma, beta},
                           [B, C, S, n, training, mean = std::move(mean),
                            invstd = std::move(invstd)](std::vector<Variable>& in,
                                                        const Array& dy) {
    ProfileScope scope(ProfileOp::batch_norm);
    const float* px = in[0].data().data();
    const float* pg = in[1].data().data();
    const float* pdy = dy.data();
    // Per channel: dbeta = sum dy, dgamma = sum dy * xhat, xhat = (x - mean) * invstd.
    std::vector<float> dbeta(C), dgamma(C);
    for (std::size_t c = 0; c < C; ++c) {
      double sb = 0.0, sg = 0.0;
      for (std::size_t b = 0; b < B; ++b) {
        const float* p = px + (b * C + c) * S;
        const float* g = pdy + (b * C + c) * S;
        for (std::size_t k = 0; k < S; ++k) {
          sb += g[k];
          sg += g[k] * (p[k] - mean[c]);
        }
      }
      dbeta[c] = static_cast<float>(sb);
      dgamma[c] = static_cast<float>(sg) * invstd[c];
    }
    float beta_acc;
    if (in[1].requires_grad()) {
      float* g = in[1].grad_accumulator(beta_acc);
      for (std::size_t c = 0; c < C; ++c) g[c] = beta_acc == 0.0f ? dgamma[c] : g[c] + dgamma[c];
    }
    if (in[2].requires_grad()) {
      float* g = in[2].grad_accumulator(beta_acc);
      for (std::size_t c = 0; c < C; ++c) g[c] = beta_acc == 0.0f ? dbeta[c] : g[c] + dbeta[c];
    }
    if (!in[0].requires_grad()) return;
    float* dx = in[0].grad_accumulator(beta_acc);  // (B, C, S)
    const float inv_n = 1.0f / static_cast<float>(n);
    for (std::size_t c = 0; c < C; ++c) {
      // Training: dx = gamma*invstd * (dy - mean(dy) - xhat * mean(dy * xhat)), since the
      // batch statistics depend on x. Evaluation: the statistics are constants.
      const float k = pg[c] * invstd[c];
      const float mean_dy = training ? dbeta[c] * inv_n : 0.0f;
      const float mean_dy_xhat = training ? dgamma[c] * inv_n : 0.0f;
      for (std::size_t b = 0; b < B; ++b) {
        const float* p = px + (b * C + c) * S;
        const float* g = pdy + (b * C + c) * S;
        float* q = dx + (b * C + c) * S;
        for (std::size_t s = 0; s < S; ++s) {
          const float xhat = (p[s] - mean[c]) * invstd[c];
          const float v = k * (g[s] - mean_dy - xhat * mean_dy_xhat);
          q[s] = beta_acc == 0.0f ? v : q[s] + v;
        }
      }
    }
  });
}

}  // namespace poda
