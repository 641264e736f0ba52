#pragma once
// Shared by the data-driven criteria: runs the caller's batches through forward and
// backward and lets the criterion read each parameter's gradient after every batch.
#include <functional>
#include <map>
#include <string>

#include "prune/criterion.h"

namespace poda {

// For b in [0, ctx.batches): zero gradients, ctx.compute_gradients(model, b), then
// visit(name, parameter, gradient) for every parameter of the model (a parameter the loss
// did not reach gets a zero gradient). Throws if the context has no data.
void for_each_batch_gradient(
    const std::string& criterion, CriterionContext& ctx,
    const std::function<void(const std::string&, const Parameter&, const Array&)>& visit);

}  // namespace poda
