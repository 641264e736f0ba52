#include <stdexcept>

#include "core/ops.h"

namespace poda {

Variable reshape(const Variable& x, const Shape& shape) {
  if (numel(shape) != x.size())
    throw std::invalid_argument("reshape: cannot view " + shape_str(x.shape()) + " as " +
                                shape_str(shape));
  Array out = x.data();
  out.reshape(shape);
  const Shape in_shape = x.shape();
  return Variable::from_op(std::move(out), {x},
                           [in_shape](std::vector<Variable>& in, const Array& d) {
                             Array g = d;
                             g.reshape(in_shape);
                             in[0].add_grad(std::move(g));
                           });
}

Variable flatten(const Variable& x) {
  const std::size_t batch = x.dim(0);
  return reshape(x, {batch, x.size() / batch});
}

}  // namespace poda
