// GELU (Hendrycks & Gimpel 2016) in its exact form, x * Phi(x) with Phi the standard normal
// CDF through erf: PyTorch's nn.GELU() default (approximate='none'), not the tanh fit.
#include <cmath>

#include "core/ops_transformer.h"

namespace poda {

namespace {
constexpr float inv_sqrt2 = 0.70710678118654752f;
constexpr float inv_sqrt_2pi = 0.39894228040143268f;
}  // namespace

void gelu_values(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * inv_sqrt2));
}

Variable gelu(const Variable& x) {
  Array y = empty_array(x.shape());
  gelu_values(x.data().data(), y.data(), y.size());
  // Backward recomputes from the input: d/dx = Phi(x) + x phi(x).
  return Variable::from_op(std::move(y), {x}, [](std::vector<Variable>& in, const Array& dy) {
    float beta;
    float* dx = in[0].grad_accumulator(beta);
    const float* px = in[0].data().data();
    const float* pdy = dy.data();
    for (std::size_t i = 0, n = dy.size(); i < n; ++i) {
      const float v = px[i];
      const float d =
          0.5f * (1.0f + std::erf(v * inv_sqrt2)) + v * inv_sqrt_2pi * std::exp(-0.5f * v * v);
      dx[i] = beta == 0.0f ? d * pdy[i] : dx[i] + d * pdy[i];
    }
  });
}

}  // namespace poda
