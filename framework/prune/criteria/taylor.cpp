// First-order Taylor (Molchanov et al. 2017/2019): |w * dL/dw| estimates how much the loss
// changes when w is removed. Averaged per batch over ctx.batches batches.
#include <cmath>
#include <map>

#include "prune/criteria/gradients.h"

namespace poda {
namespace {

class Taylor : public PreparedScores {
 public:
  bool supports(Granularity) const override { return true; }

  void prepare(const std::vector<const PruneTarget*>&, CriterionContext& ctx) override {
    scores_.clear();
    const float inv = 1.0f / static_cast<float>(ctx.batches);
    for_each_batch_gradient("taylor", ctx,
                            [&](const std::string& name, const Parameter& p, const Array& g) {
                              float* s = scores_for(name, p).data();
                              const float* w = p.value.data().data();
                              const float* gd = g.data();
                              for (std::size_t i = 0, n = p.value.size(); i < n; ++i)
                                s[i] += std::fabs(w[i] * gd[i]) * inv;
                            });
  }
};

const CriterionRegistrar taylor_registrar(
    "taylor", [] { return std::make_unique<Taylor>(); },
    "|w * dL/dw| averaged over data batches; any granularity");

}  // namespace
}  // namespace poda
