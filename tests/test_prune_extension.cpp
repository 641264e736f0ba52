// A criterion defined here only, registered by name, and used through the same lookup the
// config uses: the extension path docs/pruning.md describes.
#include <doctest/doctest.h>

#include "prune/criterion.h"
#include "prune/pruner.h"
#include "prune_test_models.h"

using namespace poda;

namespace {

// Keeps the weights closest to zero (the opposite of magnitude): easy to tell apart.
class SmallestFirst : public Criterion {
 public:
  bool supports(Granularity g) const override { return g == Granularity::unstructured; }
  Array score_weights(const std::string&, const Parameter& p,
                      const CriterionContext&) const override {
    Array s = empty_array(p.value.shape());
    const float* w = p.value.data().data();
    for (std::size_t i = 0; i < s.size(); ++i) s.data()[i] = -std::fabs(w[i]);
    return s;
  }
};

const CriterionRegistrar reg("test_smallest_first",
                             [] { return std::make_unique<SmallestFirst>(); },
                             "test only: keeps small weights");

}  // namespace

TEST_CASE("a criterion registered in a test file is usable by name, like from a config") {
  PruneSettings s;
  s.criterion = "test_smallest_first";
  s.sparsity = 0.5;
  CHECK(s.validate().empty());
  Sequential m;
  auto fc = test::dense(4, 1, true, Array{{1, -4, 2, 3}});
  m.add("fc", fc);
  CriterionContext ctx;
  prune(m, s, 0.5, ctx);
  CHECK(fc->weight().value.data() == Array{{1, 0, 2, 0}});
  s.granularity.kind = Granularity::neuron;  // it declared unstructured only
  CHECK(s.validate().size() == 1);
  CHECK_THROWS_AS(prune(m, s, 0.5, ctx), std::invalid_argument);
}
