// |w| (Han et al. 2015): the baseline every paper compares against.
#include <cmath>

#include "prune/criterion.h"

namespace poda {
namespace {

class Magnitude : public Criterion {
 public:
  bool supports(Granularity) const override { return true; }
  Array score_weights(const std::string&, const Parameter& p,
                      const CriterionContext&) const override {
    Array s = empty_array(p.value.shape());
    const float* w = p.value.data().data();
    float* o = s.data();
    for (std::size_t i = 0, n = s.size(); i < n; ++i) o[i] = std::fabs(w[i]);
    return s;
  }
};

const CriterionRegistrar magnitude_registrar(
    "magnitude", [] { return std::make_unique<Magnitude>(); },
    "|w|; any granularity (structured: summed per unit)");

}  // namespace
}  // namespace poda
