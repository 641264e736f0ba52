// APoZ (Hu et al. 2016): the Average Percentage of Zeros of a unit's output after its
// activation, over the calibration batches (and spatial positions for a filter). A unit that
// is mostly zero contributes little: higher APoZ = prune first, so the score is 1 - APoZ.
// Layers without a zero-keeping activation after them (e.g. the classifier) stay dense.
#include <stdexcept>

#include "prune/criterion.h"

namespace poda {
namespace {

class Apoz : public Criterion {
 public:
  Level level() const override { return Level::unit; }
  bool supports(Granularity g) const override {
    return g == Granularity::neuron || g == Granularity::filter;
  }
  bool needs_data() const override { return true; }
  bool needs_activations() const override { return true; }
  bool can_score(const PruneTarget& t) const override { return t.activation != nullptr; }
  std::string scoring_requirement() const override {
    return "a zero-keeping activation (ReLU) after the layer";
  }

  Array score_units(const PruneTarget& t, const GranularitySpec&,
                    const CriterionContext& ctx) const override {
    auto it = ctx.activations.find(t.name);
    if (it == ctx.activations.end())
      throw std::invalid_argument("criterion 'apoz' has no activations of layer '" + t.name +
                                  "' (it needs data batches)");
    const std::vector<double>& zeros = it->second.activated.zero_fraction;
    if (zeros.size() != t.out_units())
      throw std::invalid_argument("criterion 'apoz': layer '" + t.name + "' has " +
                                  std::to_string(t.out_units()) + " units but its statistics " +
                                  std::to_string(zeros.size()));
    Array s = empty_array({t.out_units()});
    for (std::size_t u = 0; u < zeros.size(); ++u) s.data()[u] = static_cast<float>(1.0 - zeros[u]);
    return s;
  }
};

const CriterionRegistrar apoz_registrar(
    "apoz", [] { return std::make_unique<Apoz>(); },
    "1 - average percentage of zeros of a unit's activated output "
    "(Hu et al. 2016); neuron, filter");

}  // namespace
}  // namespace poda
