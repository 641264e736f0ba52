// A plug-in that registers one criterion: loaded twice by one path it loads once, and a copy
// of it at a second path clashes with the first by name.
#include "prune/criterion.h"

namespace {

class Ones : public poda::Criterion {
 public:
  bool supports(poda::Granularity g) const override { return g == poda::Granularity::unstructured; }
  poda::Array score_weights(const std::string&, const poda::Parameter& p,
                            const poda::CriterionContext&) const override {
    poda::Array s = poda::empty_array(poda::to_shape(p.value.data().shape()));
    s.fill(1.0f);
    return s;
  }
};

const poda::CriterionRegistrar reg(
    "test_plugin_ones", [] { return std::make_unique<Ones>(); }, "every weight scores 1 (test)");

}  // namespace
