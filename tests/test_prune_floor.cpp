// The per-layer floor (prune.min_units, prune.max_layer_sparsity): no step takes a layer
// below it, a global target is filled from the other layers, and a network cut anyway is
// named by sparsity_report's disconnection().
#include <doctest/doctest.h>

#include <cmath>

#include "prune/pruner.h"
#include "prune/select.h"
#include "prune/sparsity_report.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

namespace {

// fc1 (2 -> 4) -> ReLU -> fc2 (4 -> 3) -> ReLU -> fc3 (3 -> 2): the quickstart in miniature.
struct Chain {
  Sequential model;
  std::shared_ptr<Dense> fc1 = dense(2, 4, true, Array{{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  std::shared_ptr<Dense> fc2 = dense(4, 3, true, distinct_weights({3, 4}, 1));
  std::shared_ptr<Dense> fc3 = dense(3, 2, true, distinct_weights({2, 3}, 2));
  Chain() {
    model.add("fc1", fc1).add("relu1", std::make_shared<ReLU>()).add("fc2", fc2);
    model.add("relu2", std::make_shared<ReLU>()).add("fc3", fc3);
  }
};

PruneSettings neurons(Scope scope, double sparsity) {
  PruneSettings s;
  s.criterion = "l1_norm";
  s.granularity.kind = Granularity::neuron;
  s.scope = scope;
  s.sparsity = sparsity;
  return s;
}

std::vector<std::size_t> alive_per_layer(Module& m) {
  std::vector<std::size_t> alive;
  for (const LayerSparsity& l : sparsity_report(m).layers) alive.push_back(l.units_alive);
  return alive;
}

}  // namespace

TEST_CASE("lowest_k_capped: a capped group's share goes to the next-lowest of the others") {
  using Picks = std::vector<std::size_t>;
  const std::vector<double> s{1, 2, 3, 10, 20};                 // groups [0, 3) and [3, 5)
  CHECK(lowest_k_capped(s, {3, 5}, {3, 2}, 2) == Picks{0, 1});  // within the caps: lowest_k
  CHECK(lowest_k_capped(s, {3, 5}, {1, 2}, 2) == Picks{0, 3});
  CHECK(lowest_k_capped(s, {3, 5}, {1, 2}, 4) == Picks{0, 3, 4});  // the caps leave only 3
  // Dead entries are taken whatever the cap, and count toward k and the cap.
  CHECK(lowest_k_capped({-INFINITY, 1, 2, 10, 20}, {3, 5}, {1, 2}, 2) == Picks{0, 3});
  // NaN scores rank lowest but respect the cap.
  CHECK(lowest_k_capped({NAN, NAN, 5, 1, 2}, {3, 5}, {1, 2}, 2) == Picks{0, 3});
}

TEST_CASE("global neuron pruning at 0.98 keeps a unit of every layer (min_units: 1)") {
  Chain c;
  CriterionContext ctx;
  const PruneStats st = prune(c.model, neurons(Scope::global, 0.98), 0.98, ctx);
  CHECK(st.units == 7);         // fc1 and fc2; fc3's units are the classes
  CHECK(st.units_pruned == 5);  // the target asks all 7: the floor keeps one per layer
  CHECK(alive_per_layer(c.model) == std::vector<std::size_t>{1, 1, 2});
  CHECK(c.fc1->weight().value.data()(3, 0) == 4);  // the strongest unit is the one kept
  CHECK(sparsity_report(c.model).disconnection().empty());
}

TEST_CASE("min_units: 0 lets a layer collapse, and the report names the cut") {
  Chain c;
  PruneSettings s = neurons(Scope::global, 0.98);
  s.min_units = 0;
  CriterionContext ctx;
  CHECK(prune(c.model, s, 0.98, ctx).units_pruned == 7);
  const std::string why = sparsity_report(c.model).disconnection();
  CHECK(why.rfind("layer 'fc1' has no weight left (4 of 4 units removed)", 0) == 0);
}

TEST_CASE("max_layer_sparsity caps each layer; the global target is filled elsewhere") {
  Chain c;
  PruneSettings s = neurons(Scope::global, 0.4);
  s.max_layer_sparsity = 0.5;  // fc1 gives at most 2 of 4, fc2 at most 1 of 3
  CriterionContext ctx;
  SUBCASE("a reachable target is met exactly") {
    CHECK(prune(c.model, s, 0.4, ctx).units_pruned == 3);  // round(0.4 * 7)
    CHECK(alive_per_layer(c.model) == std::vector<std::size_t>{2, 2, 2});
  }
  SUBCASE("an unreachable one stops at the caps") {
    const PruneStats st = prune(c.model, s, 0.9, ctx);
    CHECK(st.units_pruned == 3);
    CHECK(st.unit_fraction() == doctest::Approx(3.0 / 7));  // what was reached, not asked
  }
  SUBCASE("min_units and the cap together: the larger floor wins") {
    s.min_units = 3;
    CHECK(prune(c.model, s, 0.9, ctx).units_pruned == 1);  // fc1 gives 1, fc2 none
    CHECK(alive_per_layer(c.model) == std::vector<std::size_t>{3, 3, 2});
  }
}

TEST_CASE("the floor holds layer-wise and against a sparsity override") {
  Chain c;
  PruneSettings s = neurons(Scope::layer, 0.5);
  LayerOverride o;
  o.name = "fc2";
  o.sparsity = 0.95;  // round(0.95 * 3) = 3 units: all of them without the floor
  s.overrides.push_back(o);
  CriterionContext ctx;
  prune(c.model, s, 0.5, ctx);
  CHECK(alive_per_layer(c.model) == std::vector<std::size_t>{2, 1, 2});
  CHECK(sparsity_report(c.model).disconnection().empty());
}

TEST_CASE("unstructured: min_units counts weights, the cap limits each layer's sparsity") {
  Chain c;
  PruneSettings s;
  s.granularity.kind = Granularity::unstructured;
  s.scope = Scope::layer;
  s.max_layer_sparsity = 0.5;
  CriterionContext ctx;
  prune(c.model, s, 0.9, ctx);
  for (const LayerSparsity& l : sparsity_report(c.model).layers) {
    CAPTURE(l.name);
    CHECK(l.sparsity() <= 0.5);
  }
}
