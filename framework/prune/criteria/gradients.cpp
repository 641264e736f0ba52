#include "prune/criteria/gradients.h"

#include <stdexcept>

namespace poda {

void for_each_batch_gradient(
    const std::string& criterion, CriterionContext& ctx,
    const std::function<void(const std::string&, const Parameter&, const Array&)>& visit) {
  if (!ctx.model || !ctx.compute_gradients)
    throw std::invalid_argument("criterion '" + criterion +
                                "' needs data batches, but the pruning context has none");
  if (ctx.batches < 1)
    throw std::invalid_argument("criterion '" + criterion + "' needs at least one batch");
  auto params = ctx.model->named_parameters();
  for (int b = 0; b < ctx.batches; ++b) {
    ctx.model->zero_grad();
    ctx.compute_gradients(*ctx.model, b);
    for (auto& [name, p] : params) {
      if (p->value.has_grad())
        visit(name, *p, p->value.grad());
      else
        visit(name, *p, zeros_array(p->value.shape()));
    }
  }
  ctx.model->zero_grad();  // what follows (fine-tuning) must not see these gradients
}

}  // namespace poda
