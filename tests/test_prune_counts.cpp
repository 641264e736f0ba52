// One definition of a removed unit (prune/dead_inputs.h), shared by the pruner's stats,
// sparsity_report (runs.csv units_removed), dead-input propagation and compaction; the
// classifier's units are not in the denominator.
#include <doctest/doctest.h>

#include "measure/compact.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"
#include "prune/sparsity_report.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

namespace {

std::shared_ptr<Sequential> lenet() {
  Rng rng(1);
  return build_model(find_zoo_model("lenet300_100")->layers, {1, 28, 28}, Init::kaiming_uniform,
                     rng);
}

// Output units of the prunable layers but the last that compaction cut out.
std::size_t removed_by_compaction(Sequential& model, const Shape& input) {
  const CompactResult c = compact_model(model, input);
  REQUIRE(c.model);
  const auto before = model.named_parameters(), after = c.model->named_parameters();
  std::size_t removed = 0;
  for (std::size_t i = 0; i + 2 < before.size(); i += 2)  // (weight, bias) per Dense layer
    removed += before[i].second->value.dim(0) - after[i].second->value.dim(0);
  return removed;
}

PruneSettings settings(Granularity g, Scope scope, double s) {
  PruneSettings p;
  p.granularity.kind = g;
  p.scope = scope;
  p.sparsity = s;
  return p;
}

}  // namespace

TEST_CASE("a neuron target of 0.5 reads 0.5: the classes are not in the denominator") {
  for (Scope scope : {Scope::layer, Scope::global}) {
    CAPTURE(scope_name(scope));
    auto model = lenet();
    CriterionContext ctx;
    const PruneStats st = prune(*model, settings(Granularity::neuron, scope, 0.5), 0.5, ctx);
    const SparsityReport r = sparsity_report(*model);
    CHECK(r.units == 400);  // fc1 300 + fc2 100; fc3's 10 classes never count
    CHECK(r.units_removed() == doctest::Approx(0.5));
    CHECK(st.unit_fraction() == doctest::Approx(0.5));
    CHECK(r.layers.back().units_alive == 10);  // still listed per layer
    CHECK(removed_by_compaction(*model, {1, 28, 28}) == 200);
  }
}

TEST_CASE("a row whose weights are all pruned but whose bias is not is not removed") {
  // fc1's rows 0 and 1 are tiny, so unstructured pruning takes all their weights.
  Sequential m;
  auto fc1 = dense(3, 4, true, Array{{.01f, .01f, .01f}, {.01f, .01f, .01f}, {5, 5, 5}, {5, 5, 5}});
  fc1->bias()->value.data() = Array{.02f, .02f, 1, 1};
  auto fc2 = dense(4, 2, true, distinct_weights({2, 4}, 3));
  m.add("fc1", fc1).add("relu", std::make_shared<ReLU>()).add("fc2", fc2);
  PruneSettings s = settings(Granularity::unstructured, Scope::layer, 0.5);
  s.exclude_last = true;
  CriterionContext ctx;
  SUBCASE("without include_bias the rows still output relu(bias): nothing is removed") {
    prune(m, s, 0.5, ctx);  // the 6 tiny weights
    CHECK(sparsity_report(m).layers[0].nonzero == 6);
    CHECK(sparsity_report(m).units_removed() == 0.0);
    CHECK(removed_by_compaction(m, {3}) == 0);
    CHECK_FALSE(fc2->weight().has_mask());  // no dead inputs either
  }
  SUBCASE("with include_bias the biases go too: removed, and compaction agrees") {
    s.include_bias = true;
    prune(m, s, 0.5, ctx);  // 8 of 16: the 6 tiny weights and the 2 small biases
    CHECK(sparsity_report(m).units_removed() == doctest::Approx(0.5));
    CHECK(removed_by_compaction(m, {3}) == 2);
    CHECK(xt::sum(fc2->weight().mask.data())() == 4);  // their inputs to fc2 are dead
  }
}

TEST_CASE("unstructured LeNet at 90%: units_removed equals what compaction removes") {
  for (bool include_bias : {false, true}) {
    CAPTURE(include_bias);
    auto model = lenet();
    PruneSettings s = settings(Granularity::unstructured, Scope::global, 0.9);
    s.include_bias = include_bias;
    CriterionContext ctx;
    prune(*model, s, 0.9, ctx);
    const SparsityReport r = sparsity_report(*model);
    CHECK(r.units_removed() * 400 == doctest::Approx(removed_by_compaction(*model, {1, 28, 28})));
    if (!include_bias) CHECK(r.units_removed() == 0.0);  // every bias still reaches the next layer
  }
}
