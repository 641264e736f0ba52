#include <cmath>
#include <stdexcept>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>

#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "kernels/clones.h"

namespace poda {

namespace {

bool same_shape(const Variable& a, const Variable& b) {
  return a.data().shape() == b.data().shape();
}

void check_broadcastable(const char* op, const Variable& a, const Variable& b) {
  const auto& sa = a.data().shape();
  const auto& sb = b.data().shape();
  const std::size_t n = std::max(sa.size(), sb.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t da = i < n - sa.size() ? 1 : sa[i - (n - sa.size())];
    const std::size_t db = i < n - sb.size() ? 1 : sb[i - (n - sb.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(op) + ": shapes " + shape_str(a.shape()) + " and " +
                                  shape_str(b.shape()) + " do not broadcast");
  }
}

// Applies f(x) elementwise; grad_fn gets the input and applies df(x) * dout.
template <class F, class DF>
Variable unary(const Variable& x, F f, DF df) {
  ProfileScope scope(ProfileOp::activation);
  Array y = empty_array(x.shape());
  const float* px = x.data().data();
  float* py = y.data();
  for (std::size_t i = 0, n = y.size(); i < n; ++i) py[i] = f(px[i]);
  return Variable::from_op(std::move(y), {x}, [df](std::vector<Variable>& in, const Array& dy) {
    ProfileScope scope(ProfileOp::activation);
    Array dx = empty_array(in[0].shape());
    const float* px = in[0].data().data();
    const float* pdy = dy.data();
    float* pdx = dx.data();
    for (std::size_t i = 0, n = dx.size(); i < n; ++i) pdx[i] = df(px[i]) * pdy[i];
    in[0].add_grad(std::move(dx));
  });
}

float sigmoid_of(float v) {
  return 1.0f / (1.0f + std::exp(-v));
}

// Runs f(i) for i in [0, n), split between the compute threads when n is large.
template <class F>
void for_elements(std::size_t n, F f) {
  parallel_for(
      n,
      [&](std::size_t lo, std::size_t hi, int) {
        for (std::size_t i = lo; i < hi; ++i) f(i);
      },
      elementwise_grain);
}

// v.grad (+)= g for same-shaped g, in place: no temporary, no second pass.
void accumulate_grad(Variable& v, const Array& g) {
  float beta;
  float* dst = v.grad_accumulator(beta);
  const float* src = g.data();
  if (beta == 0.0f)
    for_elements(g.size(), [&](std::size_t i) { dst[i] = src[i]; });
  else
    for_elements(g.size(), [&](std::size_t i) { dst[i] += src[i]; });
}

// a + b for equal shapes (a residual block's sum): one pass forward, in-place gradients.
Variable add_same_shape(const Variable& a, const Variable& b) {
  ProfileScope scope(ProfileOp::add);
  Array out = empty_array(a.shape());
  const float* pa = a.data().data();
  const float* pb = b.data().data();
  float* po = out.data();
  for_elements(out.size(), [&](std::size_t i) { po[i] = pa[i] + pb[i]; });
  return Variable::from_op(std::move(out), {a, b}, [](std::vector<Variable>& in, const Array& d) {
    ProfileScope scope(ProfileOp::add);
    for (Variable& v : in)
      if (v.requires_grad()) accumulate_grad(v, d);
  });
}

}  // namespace

Variable add(const Variable& a, const Variable& b) {
  if (same_shape(a, b)) return add_same_shape(a, b);
  check_broadcastable("add", a, b);
  ProfileScope scope(ProfileOp::add);
  Array out = a.data() + b.data();
  return Variable::from_op(std::move(out), {a, b}, [](std::vector<Variable>& in, const Array& d) {
    ProfileScope scope(ProfileOp::add);
    for (Variable& v : in)
      if (v.requires_grad()) v.add_grad(reduce_to_shape(d, v.shape()));
  });
}

Variable sub(const Variable& a, const Variable& b) {
  check_broadcastable("sub", a, b);
  Array out = a.data() - b.data();
  return Variable::from_op(std::move(out), {a, b}, [](std::vector<Variable>& in, const Array& d) {
    if (in[0].requires_grad()) in[0].add_grad(reduce_to_shape(d, in[0].shape()));
    if (in[1].requires_grad()) {
      Array neg = -d;
      in[1].add_grad(reduce_to_shape(neg, in[1].shape()));
    }
  });
}

Variable mul(const Variable& a, const Variable& b) {
  check_broadcastable("mul", a, b);
  if (same_shape(a, b)) {  // the hot case: weight * mask
    Array out = empty_array(a.shape());
    const float* pa = a.data().data();
    const float* pb = b.data().data();
    float* po = out.data();
    for (std::size_t i = 0, n = out.size(); i < n; ++i) po[i] = pa[i] * pb[i];
    return Variable::from_op(std::move(out), {a, b}, [](std::vector<Variable>& in, const Array& d) {
      for (int k = 0; k < 2; ++k) {
        if (!in[k].requires_grad()) continue;
        Array g = empty_array(in[k].shape());
        const float* other = in[1 - k].data().data();
        const float* pd = d.data();
        float* pg = g.data();
        for (std::size_t i = 0, n = g.size(); i < n; ++i) pg[i] = pd[i] * other[i];
        in[k].add_grad(std::move(g));
      }
    });
  }
  Array out = a.data() * b.data();
  return Variable::from_op(std::move(out), {a, b}, [](std::vector<Variable>& in, const Array& d) {
    if (in[0].requires_grad()) {
      Array g = d * in[1].data();
      in[0].add_grad(reduce_to_shape(g, in[0].shape()));
    }
    if (in[1].requires_grad()) {
      Array g = d * in[0].data();
      in[1].add_grad(reduce_to_shape(g, in[1].shape()));
    }
  });
}

Variable scale(const Variable& x, float factor) {
  return unary(
      x, [factor](float v) { return v * factor; }, [factor](float) { return factor; });
}

namespace {

// y[0:n) = max(x, 0). Plain restrict pointers: the loop compiles to vector max/blend.
PODA_CLONES void relu_range(const float* __restrict x, float* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

// dx[0:n) (+)= dy where x > 0, else 0: one read of x and dy, one write of dx.
PODA_CLONES void relu_grad_range(const float* __restrict x, const float* __restrict dy,
                                 float* __restrict dx, std::size_t n, bool accumulate) {
  if (accumulate)
    for (std::size_t i = 0; i < n; ++i) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
  else
    for (std::size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace

Variable relu(const Variable& x) {
  ProfileScope scope(ProfileOp::activation);
  Array y = empty_array(x.shape());
  const float* px = x.data().data();
  float* py = y.data();
  parallel_for(
      y.size(), [&](std::size_t lo, std::size_t hi, int) { relu_range(px + lo, py + lo, hi - lo); },
      elementwise_grain);
  // The mask comes from the input, not the output: the grad fn captures nothing.
  return Variable::from_op(std::move(y), {x}, [](std::vector<Variable>& in, const Array& dy) {
    ProfileScope scope(ProfileOp::activation);
    float beta;
    float* dx = in[0].grad_accumulator(beta);
    const float* px = in[0].data().data();
    const float* pdy = dy.data();
    parallel_for(
        dy.size(),
        [&](std::size_t lo, std::size_t hi, int) {
          relu_grad_range(px + lo, pdy + lo, dx + lo, hi - lo, beta != 0.0f);
        },
        elementwise_grain);
  });
}

Variable tanh(const Variable& x) {
  // Backward recomputes tanh from the input rather than capturing the output.
  return unary(
      x, [](float v) { return std::tanh(v); },
      [](float v) {
        const float t = std::tanh(v);
        return 1.0f - t * t;
      });
}

Variable sigmoid(const Variable& x) {
  return unary(x, sigmoid_of, [](float v) {
    const float s = sigmoid_of(v);
    return s * (1.0f - s);
  });
}

Array reduce_to_shape(const Array& grad, const Shape& shape) {
  const Shape gshape = to_shape(grad.shape());
  if (gshape == shape) return grad;
  const std::size_t lead = gshape.size() - shape.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < lead; ++i) axes.push_back(i);
  for (std::size_t j = 0; j < shape.size(); ++j)
    if (shape[j] == 1 && gshape[lead + j] != 1) axes.push_back(lead + j);
  Array reduced = xt::sum(grad, axes, xt::evaluation_strategy::immediate);
  reduced.reshape(shape);
  return reduced;
}

}  // namespace poda
