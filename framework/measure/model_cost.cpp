#include "measure/model_cost.h"

namespace poda {

ModelCost model_cost(Module& model, const Shape& input_shape) {
  ModelCost c;
  for (Parameter* p : model.parameters()) {
    c.params += p->value.size();
    c.nonzero_params += count_nonzero_effective(*p);
  }
  c.macs = model.macs(input_shape);
  c.effective_macs = model.effective_macs(input_shape);
  c.dense_bytes = 4 * c.params;
  c.sparse_bytes = 8 * c.nonzero_params;
  return c;
}

}  // namespace poda
