// Inverted dropout (Srivastava et al. 2014): scaled at training time so evaluation is identity.
#include <stdexcept>
#include <string>

#include "core/ops.h"

namespace poda {

Variable dropout(const Variable& x, float p, Rng& rng) {
  if (!(p >= 0.0f && p < 1.0f))
    throw std::invalid_argument("dropout: p must be in [0, 1), got " + std::to_string(p));
  // keep (same shape as x): 0 for a dropped element, 1/(1-p) for a kept one. The backward
  // pass needs exactly this draw, so the grad fn owns it (it is not the output: no cycle).
  Array keep = empty_array(x.shape());
  Array y = empty_array(x.shape());
  const float scale = 1.0f / (1.0f - p);
  const float* px = x.data().data();
  float* pk = keep.data();
  float* py = y.data();
  for (std::size_t i = 0, n = y.size(); i < n; ++i) {
    pk[i] = rng.uniform() < p ? 0.0f : scale;
    py[i] = px[i] * pk[i];
  }
  return Variable::from_op(std::move(y), {x},
                           [keep = std::move(keep)](std::vector<Variable>& in, const Array& dy) {
                             float beta;
                             float* dx = in[0].grad_accumulator(beta);
                             const float* pk = keep.data();
                             const float* pdy = dy.data();
                             for (std::size_t i = 0, n = keep.size(); i < n; ++i)
                               dx[i] = beta == 0.0f ? pdy[i] * pk[i] : dx[i] + pdy[i] * pk[i];
                           });
}

}  // namespace poda
