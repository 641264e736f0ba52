// Network slimming (Liu et al. 2017): the |gamma| of the BatchNorm channel that follows a
// filter says how much that channel contributes. Layers without a BatchNorm stay dense.
#include <cmath>

#include "prune/criterion.h"

namespace poda {
namespace {

class BnScale : public Criterion {
 public:
  Level level() const override { return Level::unit; }
  bool supports(Granularity g) const override {
    return g == Granularity::filter || g == Granularity::neuron;
  }
  bool can_score(const PruneTarget& t) const override { return t.bn_weight != nullptr; }
  std::string scoring_requirement() const override { return "a BatchNorm after the layer"; }
  Array score_units(const PruneTarget& t, const GranularitySpec&,
                    const CriterionContext&) const override {
    Array s = empty_array({t.out_units()});
    const float* gamma = t.bn_weight->value.data().data();
    for (std::size_t u = 0; u < t.out_units(); ++u) s(u) = std::fabs(gamma[u]);
    return s;
  }
};

const CriterionRegistrar bn_scale_registrar(
    "bn_scale", [] { return std::make_unique<BnScale>(); },
    "|gamma| of the following BatchNorm; filter, neuron");

}  // namespace
}  // namespace poda
