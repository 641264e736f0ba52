// SNIP (Lee et al. 2019): connection sensitivity |w * dL/dw| at initialisation, with the
// gradient summed over the data batches and the scores normalised to sum to 1 over every
// prunable weight, so they are comparable across layers (a global ranking).
#include <cmath>
#include <map>

#include "prune/criteria/gradients.h"

namespace poda {
namespace {

class Snip : public PreparedScores {
 public:
  bool supports(Granularity g) const override {
    return g == Granularity::unstructured || g == Granularity::n_m || g == Granularity::block;
  }

  void prepare(const std::vector<const PruneTarget*>&, CriterionContext& ctx) override {
    std::map<std::string, Array> grads;
    for_each_batch_gradient("snip", ctx,
                            [&](const std::string& name, const Parameter& p, const Array& g) {
                              auto it = grads.find(name);
                              if (it == grads.end())
                                it = grads.emplace(name, zeros_array(p.value.shape())).first;
                              float* s = it->second.data();
                              const float* gd = g.data();
                              for (std::size_t i = 0, n = p.value.size(); i < n; ++i) s[i] += gd[i];
                            });
    scores_.clear();
    double total = 0.0;
    for (auto& [name, p] : ctx.model->named_parameters()) {
      Array s = empty_array(p->value.shape());
      const float* w = p->value.data().data();
      const float* g = grads.at(name).data();
      for (std::size_t i = 0, n = s.size(); i < n; ++i) {
        s.data()[i] = std::fabs(w[i] * g[i]);
        if (p->prunable) total += s.data()[i];
      }
      scores_.emplace(name, std::move(s));
    }
    if (total > 0.0)
      for (auto& [name, s] : scores_) s *= static_cast<float>(1.0 / total);
  }
};

const CriterionRegistrar snip_registrar(
    "snip", [] { return std::make_unique<Snip>(); },
    "|w * dL/dw| at initialisation, normalised; unstructured, n_m, block");

}  // namespace
}  // namespace poda
