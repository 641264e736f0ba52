// A criterion defined here only, registered by name, and used through the same lookup the
// config uses: the extension path docs/pruning.md describes.
#include <doctest/doctest.h>

#include "experiment/config/config.h"
#include "nn/model_builder.h"
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

const CriterionRegistrar reg(
    "test_smallest_first", [] { return std::make_unique<SmallestFirst>(); },
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

TEST_CASE("the test-file criterion runs from a YAML config, through the experiment parser") {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(R"(
model:
  layers:
    - {type: flatten}
    - {type: dense, name: fc, out: 1}
prune: {criterion: test_smallest_first, sparsity: 0.5, scope: layer}
)"),
                                                     "ext.yaml");
  REQUIRE(c.prune);
  CHECK(c.prune->criterion == "test_smallest_first");
  Rng rng(1);
  auto model = build_model(c.model.layers, {1, 2, 2}, c.model.init, rng);
  Parameter& w = *model->named_parameters().front().second;
  w.value.data() = Array{{1, -4, 2, 3}};
  CriterionContext ctx;
  prune(*model, *c.prune, c.prune->sparsity, ctx);
  CHECK(w.value.data() == Array{{1, 0, 2, 0}});  // the two largest went: this criterion ran
  // And the parser knows which granularities it declared.
  CHECK_THROWS_WITH_AS(
      parse_experiment_config(
          YAML::Load(
              "model: {zoo: lenet300_100}\nprune: {criterion: test_smallest_first, sparsity: 0.5, "
              "granularity: neuron}\n"),
          "ext.yaml"),
      doctest::Contains("'prune.granularity': criterion 'test_smallest_first' does not support"),
      ConfigError);
}
