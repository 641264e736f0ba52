// max(a + b, 0) as one op: a residual block's sum and the ReLU after it (nn/layers/residual.cpp
// fuses the pair). Forward one pass over the activations instead of two, keeping one byte per
// output for the backward; backward one pass per input instead of the ReLU's pass plus the
// sum's copy and add.
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "core/add_relu.h"
#include "core/tensor.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "kernels/clones.h"

namespace poda {

namespace {

PODA_CLONES void add_relu_range(const float* __restrict a, const float* __restrict b,
                                float* __restrict y, std::uint8_t* __restrict mask, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const float s = a[i] + b[i];
    const bool on = s > 0.0f;
    mask[i] = on;
    y[i] = on ? s : 0.0f;
  }
}

// dx[0:n) (+)= dy where the mask let the sum through, else 0.
PODA_CLONES void add_relu_grad_range(const std::uint8_t* __restrict mask,
                                     const float* __restrict dy, float* __restrict dx,
                                     std::size_t n, bool accumulate) {
  if (accumulate)
    for (std::size_t i = 0; i < n; ++i) dx[i] += mask[i] ? dy[i] : 0.0f;
  else
    for (std::size_t i = 0; i < n; ++i) dx[i] = mask[i] ? dy[i] : 0.0f;
}

}  // namespace

Variable add_relu(const Variable& a, const Variable& b) {
  if (a.data().shape() != b.data().shape())
    throw std::invalid_argument("add_relu: shapes " + shape_str(a.shape()) + " and " +
                                shape_str(b.shape()) + " differ");
  ProfileScope scope(ProfileOp::add);
  Array y = empty_array(a.shape());
  // Shared, so the grad fn stays copyable; left uninitialised: the forward writes every byte.
  const std::shared_ptr<std::uint8_t[]> mask(new std::uint8_t[y.size()]);
  const float* pa = a.data().data();
  const float* pb = b.data().data();
  float* py = y.data();
  parallel_for(
      y.size(),
      [&](std::size_t lo, std::size_t hi, int) {
        add_relu_range(pa + lo, pb + lo, py + lo, mask.get() + lo, hi - lo);
      },
      elementwise_grain);
  return Variable::from_op(std::move(y), {a, b},
                           [mask](std::vector<Variable>& in, const Array& dy) {
                             ProfileScope scope(ProfileOp::add);
                             // One input after the other: when a and b are the same variable, the second call of
                             // grad_accumulator sees the first one's gradient and adds to it.
                             for (Variable& v : in) {
                               if (!v.requires_grad()) continue;
                               float beta;
                               float* dx = v.grad_accumulator(beta);
                               parallel_for(
                                   dy.size(),
                                   [&](std::size_t lo, std::size_t hi, int) {
                                     add_relu_grad_range(mask.get() + lo, dy.data() + lo, dx + lo,
                                                         hi - lo, beta != 0.0f);
                                   },
                                   elementwise_grain);
                             }
                           });
}

}  // namespace poda
