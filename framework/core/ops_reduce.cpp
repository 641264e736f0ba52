#include "core/ops.h"

namespace poda {

namespace {
Variable scaled_sum(const Variable& x, double factor) {
  double total = 0.0;
  const float* px = x.data().data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) total += px[i];
  Array out = empty_array({1});
  out(0) = static_cast<float>(total * factor);
  const float f = static_cast<float>(factor);
  return Variable::from_op(std::move(out), {x}, [f](std::vector<Variable>& in, const Array& d) {
    Array g = empty_array(in[0].shape());
    g.fill(d(0) * f);
    in[0].add_grad(std::move(g));
  });
}
}  // namespace

Variable sum(const Variable& x) {
  return scaled_sum(x, 1.0);
}
Variable mean(const Variable& x) {
  return scaled_sum(x, 1.0 / static_cast<double>(x.size()));
}

}  // namespace poda
