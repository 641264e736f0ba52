// Group norms for structured pruning (Li et al. 2017 use L1 of filters): the L1 or L2 norm of
// all weights of a unit (neuron row, filter, input channel or block).
#include <cmath>

#include "prune/criterion.h"
#include "prune/units.h"

namespace poda {
namespace {

class GroupNorm : public Criterion {
 public:
  explicit GroupNorm(int p) : p_(p) {}
  Level level() const override { return Level::unit; }
  bool supports(Granularity g) const override {
    return g == Granularity::neuron || g == Granularity::filter || g == Granularity::channel ||
           g == Granularity::block;
  }
  Array score_units(const PruneTarget& t, const GranularitySpec& g,
                    const CriterionContext&) const override {
    const UnitLayout layout = unit_layout(t, g);
    std::vector<double> acc(layout.units, 0.0);
    const float* w = t.weight->value.data().data();
    for (std::size_t e = 0; e < layout.unit_of.size(); ++e)
      acc[layout.unit_of[e]] += p_ == 1 ? std::fabs(w[e]) : static_cast<double>(w[e]) * w[e];
    Array s = empty_array({layout.units});
    for (std::size_t u = 0; u < layout.units; ++u)
      s(u) = static_cast<float>(p_ == 1 ? acc[u] : std::sqrt(acc[u]));
    return s;
  }

 private:
  int p_;
};

const CriterionRegistrar l1(
    "l1_norm", [] { return std::make_unique<GroupNorm>(1); },
    "L1 norm of each unit; neuron, filter, channel, block");
const CriterionRegistrar l2(
    "l2_norm", [] { return std::make_unique<GroupNorm>(2); },
    "L2 norm of each unit; neuron, filter, channel, block");

}  // namespace
}  // namespace poda
