#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "prune/schedules/driver.h"
#include "prune/schedules/schedule_math.h"
#include "prune/select.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

TEST_CASE("iterative targets: geometric, fixed rate and linear paths") {
  const auto g = iterative_targets(0.875, 3, IterativePath::geometric, 0.0);
  REQUIRE(g.size() == 3);
  CHECK(g[0] == doctest::Approx(0.5));
  CHECK(g[1] == doctest::Approx(0.75));
  CHECK(g[2] == 0.875);  // exactly the target
  const auto f = iterative_targets(0.0, 3, IterativePath::fixed_rate, 0.2);
  CHECK(f[0] == doctest::Approx(0.2));
  CHECK(f[1] == doctest::Approx(0.36));
  CHECK(f[2] == doctest::Approx(0.488));
  const auto l = iterative_targets(0.9, 3, IterativePath::linear, 0.0);
  CHECK(l[0] == doctest::Approx(0.3));
  CHECK(l[2] == 0.9);
  ScheduleSpec spec;
  spec.numbers["rounds"] = 2;
  spec.strings["path"] = "linear";
  CHECK(RoundPath::from(spec).targets(0.6) == std::vector<double>{0.3, 0.6});
  CHECK(RoundPath::from(ScheduleSpec{}).targets(0.6).size() == 5);  // the default rounds
}

TEST_CASE("Zhu-Gupta: s_i before t0, the cubic in between, s_f exactly at t0 + n dt") {
  const double si = 0.1, sf = 0.9;
  const long t0 = 100, n = 10, dt = 50;
  CHECK(gradual_target(0, si, sf, t0, n, dt) == si);
  CHECK(gradual_target(t0, si, sf, t0, n, dt) == si);
  CHECK(gradual_target(t0 + n * dt, si, sf, t0, n, dt) == sf);
  CHECK(gradual_target(t0 + n * dt + 123, si, sf, t0, n, dt) == sf);
  for (long t = t0; t <= t0 + n * dt; t += 25) {
    CAPTURE(t);
    const double x = static_cast<double>(t - t0) / (n * dt);
    CHECK(gradual_target(t, si, sf, t0, n, dt) ==
          doctest::Approx(sf + (si - sf) * std::pow(1 - x, 3)));
  }
  CHECK(gradual_target(350, 0.0, 0.9, t0, n, dt) == doctest::Approx(0.9 - 0.9 * 0.125));
  // Monotone non-decreasing.
  for (long t = t0; t < t0 + n * dt; ++t)
    CHECK(gradual_target(t + 1, si, sf, t0, n, dt) >= gradual_target(t, si, sf, t0, n, dt));
  CHECK(gradual_update_step(100, t0, n, dt));
  CHECK(gradual_update_step(600, t0, n, dt));
  CHECK_FALSE(gradual_update_step(125, t0, n, dt));
  CHECK_FALSE(gradual_update_step(650, t0, n, dt));
  CHECK_FALSE(gradual_update_step(50, t0, n, dt));
}

namespace {
// A model of two Dense layers with distinct magnitudes and the callbacks a test can inspect.
struct Fixture {
  Sequential model;
  std::shared_ptr<Dense> fc1 = dense(10, 8, true, distinct_weights({8, 10}, 11));
  std::shared_ptr<Dense> fc2 = dense(8, 4, true, distinct_weights({4, 8}, 12));
  std::vector<TrainRequest> requests;
  std::vector<double> sparsity_at_eval;
  ScheduleHooks hooks;
  long steps_per_request = 0;
  Fixture() {
    model.add("fc1", fc1).add("relu", std::make_shared<ReLU>()).add("fc2", fc2);
    hooks.train = [this](Module& m, const TrainRequest& r) {
      requests.push_back(r);
      for (long t = 0; t < steps_per_request; ++t) {
        // "Training": every weight grows a little; the masks keep pruned ones at zero.
        for (Parameter* p : m.parameters()) {
          p->value.data() += 0.25f;
          p->apply_mask();
        }
        if (r.on_step) r.on_step(t);
      }
    };
    hooks.evaluate = [this](Module& m) {
      sparsity_at_eval.push_back(sparsity_report(m).sparsity());
      return Accuracy{0.5, 0.25};
    };
  }
};
}  // namespace

TEST_CASE("one-shot: prune once, then fine-tune E epochs at the scaled learning rate") {
  Fixture f;
  PruneSettings s;
  s.sparsity = 0.75;
  s.finetune_epochs = 3;
  s.finetune_lr_scale = 0.1;
  ScheduleResult r = run_schedule(f.model, s, f.hooks);
  REQUIRE(r.rounds.size() == 1);
  REQUIRE(f.requests.size() == 1);
  CHECK(f.requests[0].epochs == 3);
  CHECK(f.requests[0].lr_scale == doctest::Approx(0.1));
  CHECK(r.rounds[0].stats.weights_pruned == units_for_fraction(0.75, 112));
  CHECK(r.rounds[0].report.sparsity() == doctest::Approx(84.0 / 112));
  CHECK(r.pruned.test == 0.25);
}

TEST_CASE("iterative: k rounds on the geometric path, masks monotone, each round on target") {
  Fixture f;
  f.steps_per_request = 2;
  PruneSettings s;
  s.sparsity = 0.875;
  s.scope = Scope::layer;
  s.schedule.kind = "iterative";
  s.schedule.numbers["rounds"] = 3;
  Array previous = xt::ones<float>({8, 10});
  std::vector<double> seen;
  run_schedule(f.model, s, f.hooks, nullptr, [&](const RoundRecord& rec) {
    seen.push_back(rec.target);
    CHECK(rec.report.layers[0].params - rec.report.layers[0].nonzero ==
          units_for_fraction(rec.target, 80));
    const Array& mask = f.fc1->weight().mask.data();
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (previous.data()[i] == 0.0f) CHECK(mask.data()[i] == 0.0f);
    previous = mask;
  });
  CHECK(seen.size() == 3);
  CHECK(seen[0] == doctest::Approx(0.5));
  CHECK(f.requests.size() == 3);
}

TEST_CASE("gradual: masks follow the cubic at every update step and the best epoch waits") {
  Fixture f;
  f.steps_per_request = 40;
  PruneSettings s;
  s.sparsity = 0.8;
  s.scope = Scope::layer;
  s.exclude_last = true;
  s.schedule.kind = "gradual";
  s.schedule.numbers["initial_sparsity"] = 0.0;
  s.schedule.numbers["start_step"] = 5;
  s.schedule.numbers["prune_steps"] = 4;
  s.schedule.numbers["step_interval"] = 6;  // updates at 5, 11, 17, 23, 29
  std::vector<std::pair<long, std::size_t>> zeros_at;
  std::vector<bool> selectable;
  ScheduleHooks hooks = f.hooks;
  hooks.train = [&](Module& m, const TrainRequest& r) {
    for (long t = 0; t < 40; ++t) {
      r.on_step(t);
      zeros_at.emplace_back(t, zeros(f.fc1->weight()));
      selectable.push_back(r.selectable());
    }
  };
  run_schedule(f.model, s, hooks);
  for (auto [t, z] : zeros_at) {
    CAPTURE(t);
    const long last_update = t < 5 ? -1 : std::min(29L, 5 + (t - 5) / 6 * 6);
    const double target = last_update < 0 ? 0.0 : gradual_target(last_update, 0.0, 0.8, 5, 4, 6);
    CHECK(z == units_for_fraction(target, 80));
  }
  CHECK(zeros(f.fc1->weight()) == 64);  // s_f exactly at t0 + n dt
  CHECK_FALSE(selectable[28]);
  CHECK(selectable[29]);

  SUBCASE("training shorter than the schedule still ends at s_f") {
    Fixture g;
    g.steps_per_request = 10;
    ScheduleResult r = run_schedule(g.model, s, g.hooks);
    CHECK(zeros(g.fc1->weight()) == 64);
    CHECK(g.requests.size() == 2);  // the gradual phase, then fine-tuning at s_f
  }
}

TEST_CASE("weight snapshots restore saved values exactly and keep masks") {
  Fixture f;
  WeightSnapshot init = WeightSnapshot::capture(f.model);
  const Array w0 = f.fc1->weight().value.data();
  Array mask = xt::ones<float>({8, 10});
  mask(0, 0) = mask(3, 4) = 0.0f;
  f.fc1->weight().set_mask(mask);
  f.fc1->weight().value.data() += 1.0f;
  init.restore(f.model);
  CHECK(f.fc1->weight().value.data() == w0 * mask);
  CHECK(f.fc1->weight().mask.data() == mask);
  Sequential other;
  other.add("fc1", dense(3, 2, true, zeros_array({2, 3})));
  CHECK_THROWS_WITH_AS(init.restore(other),
                       "weight snapshot holds fc1.weight as (8, 10), the model as (2, 3)",
                       std::invalid_argument);
}

PruneSettings lottery_settings() {
  PruneSettings s;
  s.sparsity = 0.75;
  s.schedule.kind = "lottery";
  s.schedule.numbers["rounds"] = 2;
  s.schedule.numbers["train_epochs"] = 4;
  return s;
}

TEST_CASE("lottery ticket: survivors rewound exactly to their initial values every round") {
  Fixture f;
  f.steps_per_request = 3;
  WeightSnapshot init = WeightSnapshot::capture(f.model);
  const Array w0 = f.fc1->weight().value.data();
  const PruneSettings s = lottery_settings();
  std::vector<Array> rewound;
  f.hooks.evaluate = [&](Module&) {
    if (rewound.size() % 2 == 0)
      rewound.push_back(f.fc1->weight().value.data());  // after rewind
    else
      rewound.push_back(Array());  // after training
    return Accuracy{};
  };
  ScheduleResult r = run_schedule(f.model, s, f.hooks, &init);
  REQUIRE(r.rounds.size() == 2);
  for (std::size_t round = 0; round < 2; ++round) {
    const Array& w = rewound[2 * round];
    std::size_t survivors = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w.data()[i] == 0.0f) continue;
      ++survivors;
      CHECK(w.data()[i] == w0.data()[i]);  // exact, not approximate
    }
    CHECK(survivors > 0);
  }
  CHECK(f.requests[0].epochs == 4);
  CHECK(f.requests[0].lr_scale == 1.0);
}

TEST_CASE("lottery ticket without a rewind point: the driver trains densely, saves step k") {
  PruneSettings s = lottery_settings();
  Fixture g;
  g.steps_per_request = 5;
  s.schedule.numbers["rewind_step"] = 2;
  s.schedule.numbers["rounds"] = 1;
  const Array start = g.fc1->weight().value.data();
  Array after_rewind;
  bool captured = false;  // (a default xarray is a scalar of size 1, not empty)
  g.hooks.evaluate = [&](Module&) {
    if (!captured) after_rewind = g.fc1->weight().value.data(), captured = true;
    return Accuracy{};
  };
  run_schedule(g.model, s, g.hooks);
  CHECK(g.requests.size() == 2);  // dense training, then the round
  for (std::size_t i = 0; i < start.size(); ++i)
    if (after_rewind.data()[i] != 0.0f) CHECK(after_rewind.data()[i] == start.data()[i] + 0.5f);
}

TEST_CASE("lottery ticket, random re-initialisation: survivors get other positions' values") {
  PruneSettings s = lottery_settings();
  Fixture g;
  WeightSnapshot init_g = WeightSnapshot::capture(g.model);
  const Array start = g.fc1->weight().value.data();
  s.schedule.numbers["random_reinit"] = 1;
  s.schedule.numbers["rounds"] = 1;
  Array after;
  bool captured = false;
  g.hooks.evaluate = [&](Module&) {
    if (!captured) after = g.fc1->weight().value.data(), captured = true;
    return Accuracy{};
  };
  run_schedule(g.model, s, g.hooks, &init_g);
  std::vector<float> pool(start.begin(), start.end());
  std::size_t moved = 0;
  for (std::size_t i = 0; i < after.size(); ++i) {
    const float v = after.data()[i];
    if (v == 0.0f) continue;
    CHECK(std::find(pool.begin(), pool.end(), v) != pool.end());
    moved += v != start.data()[i];
  }
  CHECK(moved > 0);
}

TEST_CASE("pruning at initialisation then training") {
  Fixture f;
  PruneSettings s;
  s.sparsity = 0.5;
  s.schedule.kind = "at_init";
  s.schedule.numbers["train_epochs"] = 7;
  run_schedule(f.model, s, f.hooks);
  REQUIRE(f.requests.size() == 1);
  CHECK(f.requests[0].epochs == 7);
  CHECK(f.sparsity_at_eval.front() == doctest::Approx(0.5));
}

TEST_CASE("acc_pruned is the first pruning step, acc_before_finetune the last one") {
  Fixture f;
  f.steps_per_request = 41;  // weights grow by 10.25 per request: no value lands on zero
  // The "accuracy" is the sparsity at evaluation, so each one says when it was taken.
  f.hooks.evaluate = [](Module& m) {
    const double s = sparsity_report(m).sparsity();
    return Accuracy{s, s};
  };
  PruneSettings s;
  s.sparsity = 0.75;
  s.scope = Scope::layer;
  s.exclude_last = true;
  SUBCASE("iterative: round 1's pruned model, then the last round's") {
    s.schedule.kind = "iterative";
    s.schedule.numbers["rounds"] = 2;
    const ScheduleResult r = run_schedule(f.model, s, f.hooks);
    CHECK(r.pruned.test == doctest::Approx(40.0 / 112));  // round 1: 0.5 of fc1's 80
    CHECK(r.before_finetune.test == doctest::Approx(60.0 / 112));
    CHECK(r.rounds.back().last_pruned.test == r.before_finetune.test);
  }
  SUBCASE("one-shot: both are the one pruning step") {
    const ScheduleResult r = run_schedule(f.model, s, f.hooks);
    CHECK(r.pruned.test == doctest::Approx(60.0 / 112));
    CHECK(r.before_finetune.test == r.pruned.test);
  }
  SUBCASE("gradual: the first and the last mask update") {
    s.schedule.kind = "gradual";
    s.schedule.numbers["initial_sparsity"] = 0.25;
    s.schedule.numbers["start_step"] = 5;
    s.schedule.numbers["prune_steps"] = 4;
    s.schedule.numbers["step_interval"] = 6;  // updates at 5, 11, 17, 23, 29 of 41 steps
    const ScheduleResult r = run_schedule(f.model, s, f.hooks);
    CHECK(r.pruned.test == doctest::Approx(20.0 / 112));           // s_i at t0
    CHECK(r.before_finetune.test == doctest::Approx(60.0 / 112));  // s_f at t0 + n dt
    CHECK(r.rounds[0].pruned.test == r.pruned.test);
  }
}
