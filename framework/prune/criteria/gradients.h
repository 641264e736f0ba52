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

// A data-driven criterion computes every weight's score in prepare() (from the batches'
// gradients) and hands them out by parameter name.
class PreparedScores : public Criterion {
 public:
  bool needs_data() const override { return true; }
  Array score_weights(const std::string& name, const Parameter&,
                      const CriterionContext&) const override {
    return scores_.at(name);
  }

 protected:
  // The score array of `p` under `name`, zero-filled on first use.
  Array& scores_for(const std::string& name, const Parameter& p) {
    return scores_.try_emplace(name, zeros_array(p.value.shape())).first->second;
  }
  std::map<std::string, Array> scores_;
};

}  // namespace poda
