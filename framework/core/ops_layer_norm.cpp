// Layer normalisation over the last axis: each row of D features is normalised by its own
// mean and variance, then scaled and shifted per feature.
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/ops_transformer.h"

namespace poda {

namespace {

// Adds (or writes, when the buffer is fresh) a per-feature gradient.
void add_feature_grad(Variable& v, const std::vector<float>& g) {
  float beta;
  float* dst = v.grad_accumulator(beta);
  for (std::size_t j = 0; j < g.size(); ++j) dst[j] = beta == 0.0f ? g[j] : dst[j] + g[j];
}

// dx (rows, D) from dy, given each row's mean and 1/std: with xhat = (x - mean) * rstd and
// g = dy * gamma, dx = rstd * (g - mean(g) - xhat * mean(g * xhat)).
void layer_norm_input_grad(float* dx, float beta, const float* dy, const float* x,
                           const float* gamma, const std::vector<float>& mean,
                           const std::vector<float>& rstd, std::size_t D) {
  for (std::size_t r = 0; r < mean.size(); ++r) {
    const float* xr = x + r * D;
    const float* dyr = dy + r * D;
    float* dxr = dx + r * D;
    double sum_g = 0.0, sum_gx = 0.0;
    for (std::size_t j = 0; j < D; ++j) {
      const float g = dyr[j] * gamma[j];
      sum_g += g;
      sum_gx += g * (xr[j] - mean[r]) * rstd[r];
    }
    const float mean_g = static_cast<float>(sum_g / D), mean_gx = static_cast<float>(sum_gx / D);
    for (std::size_t j = 0; j < D; ++j) {
      const float xhat = (xr[j] - mean[r]) * rstd[r];
      const float v = rstd[r] * (dyr[j] * gamma[j] - mean_g - xhat * mean_gx);
      dxr[j] = beta == 0.0f ? v : dxr[j] + v;
    }
  }
}

}  // namespace

void layer_norm_rows(float* y, const float* x, const float* gamma, const float* beta,
                     std::size_t rows, std::size_t D, float eps, float* mean, float* rstd) {
  for (std::size_t r = 0; r < rows; ++r) {  // two passes over the row: mean, then variance
    const float* xr = x + r * D;
    double s = 0.0;
    for (std::size_t j = 0; j < D; ++j) s += xr[j];
    const float m = static_cast<float>(s / D);
    double v = 0.0;
    for (std::size_t j = 0; j < D; ++j) v += double(xr[j] - m) * (xr[j] - m);
    const float inv = 1.0f / std::sqrt(static_cast<float>(v / D) + eps);
    for (std::size_t j = 0; j < D; ++j) y[r * D + j] = (xr[j] - m) * inv * gamma[j] + beta[j];
    if (mean) mean[r] = m;
    if (rstd) rstd[r] = inv;
  }
}

Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta, float eps) {
  const std::size_t rank = x.data().dimension();
  const std::size_t D = rank == 0 ? 0 : x.dim(rank - 1);
  if (D == 0 || gamma.size() != D || beta.size() != D)
    throw std::invalid_argument("layer_norm: input " + shape_str(x.shape()) + " with gamma " +
                                shape_str(gamma.shape()) + " and beta " + shape_str(beta.shape()) +
                                " (expected (..., D), (D), (D))");
  const std::size_t rows = x.size() / D;
  std::vector<float> mean(rows), rstd(rows);
  Array y = empty_array(x.shape());
  layer_norm_rows(y.data(), x.data().data(), gamma.data().data(), beta.data().data(), rows, D, eps,
                  mean.data(), rstd.data());
  // Captures the row statistics (rows floats each), never the output.
  return Variable::from_op(
      std::move(y), {x, gamma, beta},
      [D, mean = std::move(mean), rstd = std::move(rstd)](std::vector<Variable>& in,
                                                          const Array& dy) {
        const float* px = in[0].data().data();
        const float* pdy = dy.data();
        if (in[1].requires_grad() || in[2].requires_grad()) {
          std::vector<float> dgamma(D, 0.0f), dbeta(D, 0.0f);
          for (std::size_t r = 0; r < mean.size(); ++r)
            for (std::size_t j = 0; j < D; ++j) {
              dgamma[j] += pdy[r * D + j] * (px[r * D + j] - mean[r]) * rstd[r];
              dbeta[j] += pdy[r * D + j];
            }
          if (in[1].requires_grad()) add_feature_grad(in[1], dgamma);
          if (in[2].requires_grad()) add_feature_grad(in[2], dbeta);
        }
        if (!in[0].requires_grad()) return;
        float beta_x;
        float* dx = in[0].grad_accumulator(beta_x);
        layer_norm_input_grad(dx, beta_x, pdy, px, in[1].data().data(), mean, rstd, D);
      });
}

}  // namespace poda
