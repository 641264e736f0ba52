#include <doctest/doctest.h>

#include <cmath>

#include "core/ops.h"
#include "prune/pruner.h"
#include "prune/select.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

namespace {
PruneSettings settings_for(const std::string& criterion, Granularity g, Scope scope, double s) {
  PruneSettings p;
  p.criterion = criterion;
  p.granularity.kind = g;
  p.scope = scope;
  p.sparsity = s;
  return p;
}
}  // namespace

TEST_CASE("rounding rule: k = floor(s * n + 0.5), ties pruned at the lower index first") {
  CHECK(units_for_fraction(0.25, 10) == 3);  // 2.5 rounds up
  CHECK(units_for_fraction(0.24, 10) == 2);
  CHECK(units_for_fraction(0.0, 10) == 0);
  CHECK(units_for_fraction(0.999, 10) == 10);
  CHECK(lowest_k({3, 1, 1, 1, 0}, 3) == std::vector<std::size_t>{1, 2, 4});
  CHECK(lowest_k({2, -INFINITY, 5, NAN}, 2) == std::vector<std::size_t>{1, 3});
}

TEST_CASE("unstructured layer-wise magnitude: achieved sparsity equals the rounded target") {
  Sequential model;
  model.add("fc1", dense(7, 5, true, distinct_weights({5, 7}, 1)));
  model.add("relu", std::make_shared<ReLU>());
  model.add("fc2", dense(5, 3, true, distinct_weights({3, 5}, 2)));
  for (double s : {0.1, 0.33, 0.5, 0.77, 0.9}) {
    CAPTURE(s);
    Sequential copy;  // fresh weights for every target
    auto fc1 = dense(7, 5, true, distinct_weights({5, 7}, 1));
    auto fc2 = dense(5, 3, true, distinct_weights({3, 5}, 2));
    copy.add("fc1", fc1).add("relu", std::make_shared<ReLU>()).add("fc2", fc2);
    CriterionContext ctx;
    PruneStats stats =
        prune(copy, settings_for("magnitude", Granularity::unstructured, Scope::layer, s), s, ctx);
    CHECK(zeros(fc1->weight()) == units_for_fraction(s, 35));
    CHECK(zeros(fc2->weight()) == units_for_fraction(s, 15));
    CHECK(stats.weights_pruned == units_for_fraction(s, 35) + units_for_fraction(s, 15));
    // Exactly the smallest magnitudes go: magnitudes are 1..n, so |w| <= k means pruned.
    const std::size_t k = units_for_fraction(s, 35);
    for (std::size_t i = 0; i < 35; ++i) {
      const float orig = std::fabs(distinct_weights({5, 7}, 1).data()[i]);
      CHECK((fc1->weight().mask.data().data()[i] == 0.0f) == (orig <= k));
    }
    // Biases are not pruned unless asked.
    CHECK_FALSE(fc1->bias()->has_mask());
  }
}

TEST_CASE("global scope ranks all layers together, layer-wise prunes each to the target") {
  // fc1 holds magnitudes 1..8, fc2 holds 9..12 (times 0.5 / 1 for signs): the global 50%
  // threshold lies inside fc1 only.
  Array w1{{1, 2, 3, 4}, {5, 6, 7, 8}};
  Array w2{{9, -10}, {11, -12}};
  auto build = [&](std::shared_ptr<Dense>& a, std::shared_ptr<Dense>& b) {
    auto m = std::make_shared<Sequential>();
    a = dense(4, 2, true, w1);
    b = dense(2, 2, true, w2);
    m->add("fc1", a).add("act", std::make_shared<ReLU>()).add("fc2", b);
    return m;
  };
  std::shared_ptr<Dense> a, b;
  SUBCASE("global") {
    auto m = build(a, b);
    CriterionContext ctx;
    prune(*m, settings_for("magnitude", Granularity::unstructured, Scope::global, 0.5), 0.5, ctx);
    CHECK(a->weight().value.data() == Array{{0, 0, 0, 0}, {0, 0, 7, 8}});
    CHECK(b->weight().value.data() == w2);
  }
  SUBCASE("layer-wise") {
    auto m = build(a, b);
    CriterionContext ctx;
    prune(*m, settings_for("magnitude", Granularity::unstructured, Scope::layer, 0.5), 0.5, ctx);
    CHECK(a->weight().value.data() == Array{{0, 0, 0, 0}, {5, 6, 7, 8}});
    CHECK(b->weight().value.data() == Array{{0, -0.0f}, {11, -12}});
  }
  SUBCASE("overrides: excluded output layer, half-rate layer, first layer dense") {
    auto m = build(a, b);
    CriterionContext ctx;
    PruneSettings s = settings_for("magnitude", Granularity::unstructured, Scope::global, 0.75);
    s.overrides = {{"fc2", false, -1.0, 0.5}};
    prune(*m, s, 0.75, ctx);
    CHECK(zeros(a->weight()) == 6);  // fc1 alone in the global pool: round(0.75 * 8)
    CHECK(zeros(b->weight()) == 2);  // 1 - (1 - 0.75)^0.5 = 0.5 of 4
    auto m2 = build(a, b);
    s.overrides = {{"fc2.weight", true, -1.0, 1.0}};
    s.exclude_first = true;
    prune(*m2, s, 0.75, ctx);
    CHECK_FALSE(a->weight().has_mask());
    CHECK_FALSE(b->weight().has_mask());
  }
  SUBCASE("include_bias lets biases compete") {
    auto m = build(a, b);
    a->bias()->value.data() = Array{0.5f, 100.0f};
    CriterionContext ctx;
    PruneSettings s = settings_for("magnitude", Granularity::unstructured, Scope::layer, 0.5);
    s.include_bias = true;
    PruneStats st = prune(*m, s, 0.5, ctx);
    CHECK(a->bias()->value.data() == Array{0.0f, 100.0f});
    CHECK(a->weight().value.data() == Array{{0, 0, 0, 0}, {5, 6, 7, 8}});  // 5 of 10 entries
    CHECK(st.units == 16);
  }
}

TEST_CASE("masks are monotone: later rounds keep what was pruned and count it") {
  Rng rng(3);
  Array w = distinct_weights({10, 12}, 9);
  Sequential m;
  auto fc = dense(12, 10, true, w);
  m.add("fc", fc)
      .add("relu", std::make_shared<ReLU>())
      .add("out", dense(10, 2, true, zeros_array({2, 10}) + 1.0f));
  PruneSettings s = settings_for("random", Granularity::unstructured, Scope::layer, 0.6);
  s.exclude_last = true;
  Array previous = xt::ones<float>({10, 12});
  for (int round = 0; round < 3; ++round) {
    const double target = 0.2 * (round + 1);
    CriterionContext ctx;
    ctx.round = round;  // different random scores every round
    prune(m, s, target, ctx);
    const Array& mask = fc->weight().mask.data();
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (previous.data()[i] == 0.0f) CHECK(mask.data()[i] == 0.0f);
    CHECK(zeros(fc->weight()) == units_for_fraction(target, 120));
    previous = mask;
  }
}

TEST_CASE("N:M keeps exactly N of every M consecutive inputs, the largest ones") {
  for (auto [n, mm] : std::vector<std::pair<int, int>>{{2, 4}, {1, 4}, {3, 8}}) {
    CAPTURE(n);
    CAPTURE(mm);
    Sequential m;
    auto fc = dense(16, 6, false, distinct_weights({6, 16}, 4));
    m.add("fc", fc)
        .add("relu", std::make_shared<ReLU>())
        .add("out", dense(6, 2, false, distinct_weights({2, 6}, 5)));
    PruneSettings s = settings_for("magnitude", Granularity::n_m, Scope::layer, 0.0);
    s.granularity.n = n;
    s.granularity.m = mm;
    CriterionContext ctx;
    prune(m, s, 0.0, ctx);
    const Array& w = fc->weight().value.data();
    for (std::size_t o = 0; o < 6; ++o)
      for (std::size_t g = 0; g < 16; g += mm) {
        int kept = 0;
        float smallest_kept = INFINITY, largest_pruned = 0;
        for (int i = 0; i < mm; ++i) {
          const float orig = std::fabs(distinct_weights({6, 16}, 4)(o, g + i));
          if (w(o, g + i) != 0.0f) {
            ++kept;
            smallest_kept = std::min(smallest_kept, orig);
          } else
            largest_pruned = std::max(largest_pruned, orig);
        }
        CHECK(kept == n);
        CHECK(largest_pruned < smallest_kept);
      }
  }
  SUBCASE("a tail group shorter than M keeps min(N, r)") {
    Sequential m;
    auto fc = dense(6, 1, false, Array{{1, 2, 3, 4, 5, 6}});
    m.add("fc", fc);
    PruneSettings s = settings_for("magnitude", Granularity::n_m, Scope::layer, 0.0);
    s.granularity.n = 1;
    CriterionContext ctx;
    prune(m, s, 0.0, ctx);
    CHECK(fc->weight().value.data() == Array{{0, 0, 0, 4, 0, 6}});
  }
}

TEST_CASE("neuron pruning zeros whole rows with their bias and marks the next layer's inputs") {
  Array w1{{1, 1, 1}, {5, 5, 5}, {2, 2, 2}, {4, 4, 4}};  // row L2 norms rank 0 < 2 < 3 < 1
  Sequential m;
  auto fc1 = dense(3, 4, true, w1);
  auto fc2 = dense(4, 2, true, Array{{1, 2, 3, 4}, {5, 6, 7, 8}});
  m.add("fc1", fc1).add("relu", std::make_shared<ReLU>()).add("fc2", fc2);
  PruneSettings s = settings_for("l2_norm", Granularity::neuron, Scope::layer, 0.5);
  CriterionContext ctx;
  PruneStats st = prune(m, s, 0.5, ctx);
  CHECK(fc1->weight().value.data() == Array{{0, 0, 0}, {5, 5, 5}, {0, 0, 0}, {4, 4, 4}});
  CHECK(fc1->bias()->value.data() == Array{0, 1, 0, 1});
  // Dead inputs 0 and 2 of fc2; its own output units (the classes) stay.
  CHECK(fc2->weight().value.data() == Array{{0, 2, 0, 4}, {0, 6, 0, 8}});
  CHECK(fc2->bias()->value.data() == Array{1, 1});
  CHECK(st.units == 4);
  CHECK(st.units_pruned == 2);
  // Pruned neurons output exactly zero, so the network function is what the masks say.
  Variable y = m.forward(Variable(Array{{1, -2, 3}}));
  CHECK(y.data()(0, 0) == doctest::Approx(1 + 2 * (5 * 2 + 1) + 4 * (4 * 2 + 1)));
}

TEST_CASE("neuron pruning with a weight-level criterion sums scores per row") {
  Sequential m;
  auto fc1 = dense(2, 3, true, Array{{3, -3}, {1, 1}, {-2, 0.5f}});
  m.add("fc1", fc1)
      .add("relu", std::make_shared<ReLU>())
      .add("fc2", dense(3, 1, true, Array{{1, 1, 1}}));
  CriterionContext ctx;
  prune(m, settings_for("magnitude", Granularity::neuron, Scope::layer, 0.34), 0.34, ctx);
  CHECK(fc1->weight().value.data() == Array{{3, -3}, {0, 0}, {-2, 0.5f}});
}

TEST_CASE("channel pruning zeros the same input feature in every output unit") {
  Sequential m;
  auto fc1 = dense(4, 3, true, Array{{1, 9, 1, 5}, {1, 9, 2, 5}, {1, 9, 1, 5}});
  m.add("fc1", fc1)
      .add("relu", std::make_shared<ReLU>())
      .add("fc2", dense(3, 2, true, distinct_weights({2, 3}, 1)));
  PruneSettings s = settings_for("l1_norm", Granularity::channel, Scope::layer, 0.5);
  s.exclude_last = true;
  CriterionContext ctx;
  PruneStats st = prune(m, s, 0.5, ctx);
  CHECK(fc1->weight().value.data() == Array{{0, 9, 0, 5}, {0, 9, 0, 5}, {0, 9, 0, 5}});
  CHECK(st.units == 4);
  CHECK(st.units_pruned == 2);
  CHECK(st.weight_sparsity() == doctest::Approx(0.5));
}

TEST_CASE("block pruning removes whole tiles of the (out, in) view") {
  Array w{{1, 1, 8, 8}, {1, 1, 8, 8}, {9, 9, 2, 2}, {9, 9, 2, 3}};
  Sequential m;
  auto fc = dense(4, 4, false, w);
  m.add("fc", fc);
  PruneSettings s = settings_for("magnitude", Granularity::block, Scope::layer, 0.5);
  s.granularity.block_rows = 2;
  s.granularity.block_cols = 2;
  CriterionContext ctx;
  prune(m, s, 0.5, ctx);
  CHECK(fc->weight().value.data() == Array{{0, 0, 8, 8}, {0, 0, 8, 8}, {9, 9, 0, 0}, {9, 9, 0, 0}});
  SUBCASE("1x4 tiles are rows of four") {
    auto fc2 = dense(4, 4, false, w);
    Sequential m2;
    m2.add("fc", fc2);
    s.granularity.block_rows = 1;
    s.granularity.block_cols = 4;
    prune(m2, s, 0.25, ctx);
    CHECK(fc2->weight().value.data() ==
          Array{{0, 0, 0, 0}, {1, 1, 8, 8}, {9, 9, 2, 2}, {9, 9, 2, 3}});
  }
}

TEST_CASE("global neuron pruning never removes the classifier's outputs") {
  Sequential m;
  auto fc1 = dense(2, 4, true, Array{{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  auto fc2 = dense(4, 3, true, zeros_array({3, 4}) + 0.01f);
  m.add("fc1", fc1).add("relu", std::make_shared<ReLU>()).add("fc2", fc2);
  CriterionContext ctx;
  prune(m, settings_for("l1_norm", Granularity::neuron, Scope::global, 0.5), 0.5, ctx);
  CHECK(fc1->weight().value.data() == Array{{0, 0}, {0, 0}, {3, 3}, {4, 4}});
  CHECK(xt::sum(fc2->weight().mask.data())() == 6);  // only the dead inputs
  CHECK(xt::sum(fc2->bias()->value.data())() == 3);
}

TEST_CASE("no dead-input marking through a layer that maps zero to non-zero") {
  Sequential m;
  auto fc1 = dense(2, 2, true, Array{{1, 1}, {5, 5}});
  auto fc2 = dense(2, 1, true, Array{{1, 1}});
  m.add("fc1", fc1).add("sig", std::make_shared<Sigmoid>()).add("fc2", fc2);
  PruneSettings s = settings_for("l1_norm", Granularity::neuron, Scope::layer, 0.5);
  CriterionContext ctx;
  prune(m, s, 0.5, ctx);
  CHECK(fc1->weight().value.data() == Array{{0, 0}, {5, 5}});
  CHECK_FALSE(fc2->weight().has_mask());  // sigmoid(0) = 0.5 still reaches fc2
}
