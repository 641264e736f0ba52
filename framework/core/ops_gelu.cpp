// GELU (Hendrycks & Gimpel 2016) in its exact form, x * Phi(x) with Phi the standard normal
// CDF through erf: PyTorch's nn.GELU() default (approximate='none'), not the tanh fit.
#include "core/ops_transformer.h"
#include "kernels/gelu_kernels.h"

namespace poda {

// The loops are kernels::gelu_forward and gelu_backward (vectorised erf and exp).
void gelu_values(const float* x, float* y, std::size_t n) { kernels::gelu_forward(x, y, n); }

Variable gelu(const Variable& x) {
  Array y = empty_array(x.shape());
  gelu_values(x.data().data(), y.data(), y.size());
  // Backward recomputes from the input: d/dx = Phi(x) + x phi(x).
  return Variable::from_op(std::move(y), {x}, [](std::vector<Variable>& in, const Array& dy) {
    float beta;
    float* dx = in[0].grad_accumulator(beta);
    kernels::gelu_backward(in[0].data().data(), dy.data(), dx, dy.size(), beta != 0.0f);
  });
}

}  // namespace poda
