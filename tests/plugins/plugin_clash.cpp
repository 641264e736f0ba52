// A plug-in that registers a criterion poda already has: an input error naming both sources.
#include "prune/criterion.h"

namespace {

class Zeros : public poda::Criterion {
 public:
  bool supports(poda::Granularity g) const override { return g == poda::Granularity::unstructured; }
  poda::Array score_weights(const std::string&, const poda::Parameter& p,
                            const poda::CriterionContext&) const override {
    poda::Array s = poda::empty_array(poda::to_shape(p.value.data().shape()));
    s.fill(0.0f);
    return s;
  }
};

const poda::CriterionRegistrar reg(
    "magnitude", [] { return std::make_unique<Zeros>(); }, "clashes with poda's (test)");

}  // namespace
