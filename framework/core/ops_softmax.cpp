// Softmax over the last axis (attention's weights over keys).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/ops_transformer.h"

namespace poda {

// Each row is shifted by its max, so exp never overflows.
void softmax_rows(float* y, const float* x, std::size_t rows, std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    const float top = *std::max_element(xr, xr + n);
    float total = 0.0f;
    for (std::size_t j = 0; j < n; ++j) total += (yr[j] = std::exp(xr[j] - top));
    const float inv = 1.0f / total;
    for (std::size_t j = 0; j < n; ++j) yr[j] *= inv;
  }
}

Variable softmax(const Variable& x) {
  const std::size_t rank = x.data().dimension();
  const std::size_t n = rank == 0 ? 0 : x.dim(rank - 1);
  if (n == 0) throw std::invalid_argument("softmax: input " + shape_str(x.shape()) + " is empty");
  const std::size_t rows = x.size() / n;
  Array y = empty_array(x.shape());
  softmax_rows(y.data(), x.data().data(), rows, n);
  // Backward recomputes the softmax from the input rather than capturing the output:
  // dx = y * (dy - sum(dy * y)) per row.
  return Variable::from_op(std::move(y), {x},
                           [rows, n](std::vector<Variable>& in, const Array& dy) {
                             Array y = empty_array(in[0].shape());
                             softmax_rows(y.data(), in[0].data().data(), rows, n);
                             float beta;
                             float* dx = in[0].grad_accumulator(beta);
                             const float* py = y.data();
                             const float* pdy = dy.data();
                             for (std::size_t r = 0; r < rows; ++r) {
                               const std::size_t o = r * n;
                               float dot = 0.0f;
                               for (std::size_t j = 0; j < n; ++j) dot += pdy[o + j] * py[o + j];
                               for (std::size_t j = 0; j < n; ++j) {
                                 const float v = py[o + j] * (pdy[o + j] - dot);
                                 dx[o + j] = beta == 0.0f ? v : dx[o + j] + v;
                               }
                             }
                           });
}

}  // namespace poda
