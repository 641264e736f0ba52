// Movement pruning (Sanh et al. 2020): S = -w * sum_t dL/dw over the fine-tuning steps, so
// weights moving away from zero score high. The gradients come from the trainer's step hook
// (GradientAccumulator); before any step has been seen they come from the data batches.
#include <map>

#include "prune/criteria/gradients.h"
#include "prune/gradient_accumulator.h"

namespace poda {
namespace {

class Movement : public Criterion {
 public:
  bool supports(Granularity g) const override {
    return g == Granularity::unstructured || g == Granularity::n_m || g == Granularity::block;
  }
  bool needs_data() const override { return true; }
  bool uses_training_gradients() const override { return true; }

  void prepare(const std::vector<const PruneTarget*>&, CriterionContext& ctx) override {
    grads_.clear();
    if (ctx.accumulated && ctx.accumulated->steps() > 0) {
      for (auto& [name, p] : ctx.model->named_parameters()) {
        const Array* g = ctx.accumulated->sum(name);
        grads_.emplace(name, g ? *g : zeros_array(p->value.shape()));
      }
      return;
    }
    for_each_batch_gradient("movement", ctx,
                            [&](const std::string& name, const Parameter& p, const Array& g) {
                              auto it = grads_.find(name);
                              if (it == grads_.end())
                                it = grads_.emplace(name, zeros_array(p.value.shape())).first;
                              it->second += g;
                            });
  }

  Array score_weights(const std::string& name, const Parameter& p,
                      const CriterionContext&) const override {
    Array s = empty_array(p.value.shape());
    const float* w = p.value.data().data();
    const float* g = grads_.at(name).data();
    for (std::size_t i = 0, n = s.size(); i < n; ++i) s.data()[i] = -w[i] * g[i];
    return s;
  }

 private:
  std::map<std::string, Array> grads_;
};

const CriterionRegistrar movement_registrar(
    "movement", [] { return std::make_unique<Movement>(); },
    "-w * accumulated gradient; unstructured, n_m, block");

}  // namespace
}  // namespace poda
