#include <doctest/doctest.h>

#include "core/ops.h"
#include "prune/criterion.h"
#include "prune/gradient_accumulator.h"
#include "prune/pruner.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

namespace {
// Dense(2 -> 1, no bias) with loss = sum(y): dL/dW for batch b is the sum of its inputs.
struct TinyModel {
  Sequential model;
  std::shared_ptr<Dense> fc = dense(2, 1, false, Array{{0.5f, -2.0f}});
  std::vector<Array> batches{Array{{1.0f, 2.0f}}, Array{{3.0f, -1.0f}}};
  TinyModel() { model.add("fc", fc); }
  CriterionContext context(int batches) {
    CriterionContext ctx;
    ctx.model = &model;
    ctx.batches = batches;
    ctx.compute_gradients = [this](Module& m, int b) {
      sum(m.forward(Variable(this->batches.at(b)))).backward();
    };
    return ctx;
  }
  std::vector<const PruneTarget*> none;
};
}  // namespace

TEST_CASE("magnitude scores |w|") {
  Parameter p;
  p.value = Variable(Array{-3.0f, 0.5f, 0.0f}, true);
  CriterionContext ctx;
  CHECK(make_criterion("magnitude")->score_weights("p", p, ctx) == Array{3.0f, 0.5f, 0.0f});
}

TEST_CASE("LAMP on a hand example: w^2(u) / sum of w^2 over itself and every larger weight") {
  Parameter p;
  p.value = Variable(Array{{3.0f, -1.0f}, {4.0f, 2.0f}}, true);
  CriterionContext ctx;
  Array s = make_criterion("lamp")->score_weights("p", p, ctx);
  // squares 9, 1, 16, 4; sorted 1, 4, 9, 16 with suffix sums 30, 29, 25, 16
  CHECK(s(0, 0) == doctest::Approx(9.0 / 25));
  CHECK(s(0, 1) == doctest::Approx(1.0 / 30));
  CHECK(s(1, 0) == doctest::Approx(1.0));
  CHECK(s(1, 1) == doctest::Approx(4.0 / 29));
}

TEST_CASE("LAMP with global scope keeps every layer's largest weight") {
  Sequential m;
  auto big = dense(4, 2, true, Array{{10, 20, 30, 40}, {50, 60, 70, 80}});
  auto small = dense(2, 2, true, Array{{0.1f, 0.2f}, {0.3f, 0.4f}});
  m.add("big", big).add("relu", std::make_shared<ReLU>()).add("small", small);
  PruneSettings s;
  s.criterion = "lamp";
  s.sparsity = 0.75;
  CriterionContext ctx;
  prune(m, s, 0.75, ctx);
  CHECK(small->weight().value.data()(1, 1) == doctest::Approx(0.4f));  // magnitude would drop it
  CHECK(zeros(big->weight()) + zeros(small->weight()) == 9);
}

TEST_CASE("Taylor: |w * dL/dw| averaged over batches, on a model with a known gradient") {
  TinyModel t;
  auto c = make_criterion("taylor");
  CHECK(c->needs_data());
  CriterionContext ctx = t.context(2);
  c->prepare(t.none, ctx);
  // batch 0: g = (1, 2) -> |w g| = (0.5, 4); batch 1: g = (3, -1) -> (1.5, 2)
  Array s = c->score_weights("fc.weight", t.fc->weight(), ctx);
  CHECK(s(0, 0) == doctest::Approx(1.0));
  CHECK(s(0, 1) == doctest::Approx(3.0));
  CHECK_FALSE(t.fc->weight().value.has_grad());  // gradients are not left behind

  CriterionContext one = t.context(1);
  c->prepare(t.none, one);
  CHECK(c->score_weights("fc.weight", t.fc->weight(), one) == Array{{0.5f, 4.0f}});
}

TEST_CASE("SNIP: |w * summed gradient|, normalised to sum 1 over prunable weights") {
  TinyModel t;
  auto c = make_criterion("snip");
  CriterionContext ctx = t.context(2);
  c->prepare(t.none, ctx);
  // g = (4, 1) -> |w g| = (2, 2) -> (0.5, 0.5)
  Array s = c->score_weights("fc.weight", t.fc->weight(), ctx);
  CHECK(s(0, 0) == doctest::Approx(0.5));
  CHECK(s(0, 1) == doctest::Approx(0.5));
}

TEST_CASE("data-driven criteria fail clearly without data") {
  TinyModel t;
  CriterionContext ctx;
  ctx.model = &t.model;
  CHECK_THROWS_WITH_AS(make_criterion("taylor")->prepare(t.none, ctx),
                       "criterion 'taylor' needs data batches, but the pruning context has none",
                       std::invalid_argument);
}

TEST_CASE("movement: -w times the gradient accumulated over training steps") {
  TinyModel t;
  GradientAccumulator acc(t.model);
  for (const Array& x : t.batches) {  // two "training steps"
    t.model.zero_grad();
    sum(t.model.forward(Variable(x))).backward();
    acc.accumulate();
  }
  CHECK(acc.steps() == 2);
  CriterionContext ctx;
  ctx.model = &t.model;
  ctx.accumulated = &acc;
  auto c = make_criterion("movement");
  c->prepare(t.none, ctx);
  // G = (4, 1): -w G = (-2, 2); the weight moving away from zero (w=-2, G>0) scores high
  CHECK(c->score_weights("fc.weight", t.fc->weight(), ctx) == Array{{-2.0f, 2.0f}});
  SUBCASE("before any training step it falls back to the data batches") {
    acc.reset();
    CriterionContext data = t.context(2);
    data.accumulated = &acc;
    c->prepare(t.none, data);
    CHECK(c->score_weights("fc.weight", t.fc->weight(), data) == Array{{-2.0f, 2.0f}});
  }
}

TEST_CASE("random scores are seeded: same seed same scores, other seed or round different") {
  Parameter p;
  p.value = Variable(zeros_array({50}), true);
  auto c = make_criterion("random");
  CriterionContext a, b, other;
  a.seed = b.seed = 3;
  other.seed = 4;
  CHECK(c->score_weights("x", p, a) == c->score_weights("x", p, b));
  CHECK(c->score_weights("x", p, a) != c->score_weights("x", p, other));
  CHECK(c->score_weights("x", p, a) != c->score_weights("y", p, a));
  b.round = 1;
  CHECK(c->score_weights("x", p, a) != c->score_weights("x", p, b));
}

TEST_CASE("group norms score units: rows for neurons, columns for channels") {
  Sequential m;
  auto fc = dense(2, 2, false, Array{{3, -4}, {1, 1}});
  m.add("fc", fc);
  std::vector<PruneTarget> targets = collect_targets(m);
  CriterionContext ctx;
  GranularitySpec neuron{Granularity::neuron}, channel{Granularity::channel};
  CHECK(make_criterion("l1_norm")->score_units(targets[0], neuron, ctx) == Array{7, 2});
  Array l2 = make_criterion("l2_norm")->score_units(targets[0], neuron, ctx);
  CHECK(l2(0) == doctest::Approx(5.0));
  CHECK(l2(1) == doctest::Approx(std::sqrt(2.0)));
  CHECK(make_criterion("l1_norm")->score_units(targets[0], channel, ctx) == Array{4, 5});
}

TEST_CASE("each criterion declares its granularities") {
  CHECK(make_criterion("magnitude")->supports(Granularity::filter));
  CHECK(make_criterion("l2_norm")->supports(Granularity::filter));
  CHECK_FALSE(make_criterion("l2_norm")->supports(Granularity::unstructured));
  CHECK_FALSE(make_criterion("lamp")->supports(Granularity::neuron));
  CHECK_FALSE(make_criterion("bn_scale")->supports(Granularity::unstructured));
  CHECK(make_criterion("bn_scale")->supports(Granularity::filter));
  for (const char* name : {"magnitude", "random", "taylor", "snip", "movement", "lamp", "l1_norm",
                           "l2_norm", "bn_scale"})
    CHECK(has_criterion(name));
  CHECK_THROWS_AS(make_criterion("magnitud"), std::invalid_argument);
}
