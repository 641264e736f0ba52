#include <doctest/doctest.h>

#include "core/random.h"
#include "train/lr_schedule.h"
#include "train/optimizer.h"

using namespace poda;

namespace {
Parameter make_param(Array value) {
  Parameter p;
  p.value = Variable(std::move(value), true);
  p.prunable = true;
  return p;
}
void set_grad(Parameter& p, const Array& g) {
  p.value.zero_grad();
  p.value.add_grad(g);
}
}  // namespace

TEST_CASE("SGD with momentum and Nesterov matches the update rule by hand") {
  Parameter p = make_param(Array{1.0f});
  SUBCASE("heavy ball") {
    Sgd opt({&p}, 0.1f, {0.9f, false, 0.0f});
    set_grad(p, Array{1.0f});
    opt.step();  // v = 1, w = 1 - 0.1
    CHECK(p.value.data()(0) == doctest::Approx(0.9));
    set_grad(p, Array{1.0f});
    opt.step();  // v = 1.9, w = 0.9 - 0.19
    CHECK(p.value.data()(0) == doctest::Approx(0.71));
  }
  SUBCASE("nesterov and weight decay") {
    Sgd opt({&p}, 0.1f, {0.9f, true, 0.5f});
    set_grad(p, Array{1.0f});
    opt.step();  // d = 1 + 0.5 = 1.5, v = 1.5, step = 1.5 + 0.9*1.5 = 2.85
    CHECK(p.value.data()(0) == doctest::Approx(1.0 - 0.285));
  }
}

TEST_CASE("Adam's first step moves each weight by lr against the gradient's sign") {
  Parameter p = make_param(Array{1.0f, -2.0f});
  Adam opt({&p}, 0.01f, {});
  set_grad(p, Array{3.0f, -0.5f});
  opt.step();
  CHECK(p.value.data()(0) == doctest::Approx(0.99).epsilon(1e-4));
  CHECK(p.value.data()(1) == doctest::Approx(-1.99).epsilon(1e-4));
}

TEST_CASE("masks persist: 1,000 steps of SGD-momentum, weight decay and Adam revive nothing") {
  Rng rng(5);
  Array init = empty_array({20, 30});
  for (float& v : init) v = rng.uniform(-1.0f, 1.0f);
  Array mask = empty_array({20, 30});
  for (float& v : mask) v = rng.uniform() < 0.7f ? 0.0f : 1.0f;

  auto run = [&](auto make_optimizer) {
    Parameter p = make_param(init);
    p.set_mask(mask);
    auto opt = make_optimizer(p);
    for (int step = 0; step < 1000; ++step) {
      // A gradient that pushes every weight, pruned or not, and is never zero.
      Array g = empty_array({20, 30});
      for (float& v : g) v = rng.uniform(0.1f, 1.0f);
      set_grad(p, g);
      opt->step();
    }
    std::size_t revived = 0, alive_moved = 0;
    for (std::size_t i = 0; i < mask.size(); ++i) {
      if (mask.data()[i] == 0.0f && p.value.data().data()[i] != 0.0f) ++revived;
      if (mask.data()[i] == 1.0f && p.value.data().data()[i] != init.data()[i]) ++alive_moved;
    }
    CHECK(revived == 0);
    CHECK(alive_moved == static_cast<std::size_t>(xt::sum(mask)()));  // training did happen
  };
  SUBCASE("SGD momentum + nesterov + weight decay") {
    run([](Parameter& p) {
      return std::make_unique<Sgd>(std::vector<Parameter*>{&p}, 0.05f,
                                   SgdSettings{0.9f, true, 5e-4f});
    });
  }
  SUBCASE("Adam with L2") {
    run([](Parameter& p) {
      return std::make_unique<Adam>(std::vector<Parameter*>{&p}, 0.01f,
                                    AdamSettings{0.9f, 0.999f, 1e-8f, 1e-4f});
    });
  }
  SUBCASE("AdamW") {
    AdamSettings s;
    s.weight_decay = 0.01f;
    s.decoupled = true;
    run([s](Parameter& p) {
      return std::make_unique<Adam>(std::vector<Parameter*>{&p}, 0.01f, s);
    });
  }
}

TEST_CASE("learning-rate schedules") {
  LrSchedule s;
  CHECK(s.lr_at(0.1f, 7) == doctest::Approx(0.1));
  s.kind = LrSchedule::Kind::step;
  s.step_size = 3;
  s.gamma = 0.5f;
  CHECK(s.lr_at(0.1f, 2) == doctest::Approx(0.1));
  CHECK(s.lr_at(0.1f, 3) == doctest::Approx(0.05));
  CHECK(s.lr_at(0.1f, 6) == doctest::Approx(0.025));
  s.kind = LrSchedule::Kind::cosine;
  s.total_epochs = 10;
  s.min_lr = 0.0f;
  CHECK(s.lr_at(0.1f, 0) == doctest::Approx(0.1));
  CHECK(s.lr_at(0.1f, 5) == doctest::Approx(0.05));
  CHECK(s.lr_at(0.1f, 10) == doctest::Approx(0.0));
  CHECK_THROWS_AS(parse_lr_schedule_kind("linear"), std::invalid_argument);
}

TEST_CASE("a sparse mask's kept entries alone are updated, exactly as the masked pass does") {
  // The same entries kept at a density on each side of sparse_update_max_density: the one
  // below runs the kept-entry loop, the one above the masked pass over every entry. Updates
  // are element-wise, so the entries both keep must end bit for bit the same.
  Rng rng(6);
  Array init = empty_array({16, 25});
  for (float& v : init) v = rng.uniform(-1.0f, 1.0f);
  Array sparse_mask = zeros_array({16, 25}), dense_mask = zeros_array({16, 25});
  for (std::size_t i = 0; i < init.size(); ++i) {
    const float u = rng.uniform();
    sparse_mask.data()[i] = u < 0.1f ? 1.0f : 0.0f;
    dense_mask.data()[i] = u < 0.9f ? 1.0f : 0.0f;
  }
  REQUIRE(xt::sum(sparse_mask)() < sparse_update_max_density * init.size());
  REQUIRE(xt::sum(dense_mask)() > sparse_update_max_density * init.size());
  auto run = [&](auto make_optimizer) {
    Parameter a = make_param(init), b = make_param(init);
    a.set_mask(sparse_mask);
    b.set_mask(dense_mask);
    auto opt_a = make_optimizer(a), opt_b = make_optimizer(b);
    for (int step = 0; step < 50; ++step) {
      Array g = empty_array({16, 25});
      for (float& v : g) v = rng.uniform(-1.0f, 1.0f);
      set_grad(a, g);
      set_grad(b, g);
      opt_a->step();
      opt_b->step();
    }
    for (std::size_t i = 0; i < init.size(); ++i) {
      CAPTURE(i);
      if (sparse_mask.data()[i] != 0.0f)
        CHECK(a.value.data().data()[i] == b.value.data().data()[i]);
      else
        CHECK(a.value.data().data()[i] == 0.0f);
    }
  };
  SUBCASE("SGD momentum + weight decay") {
    run([](Parameter& p) {
      return std::make_unique<Sgd>(std::vector<Parameter*>{&p}, 0.05f,
                                   SgdSettings{0.9f, false, 5e-4f});
    });
  }
  SUBCASE("Adam") {
    run([](Parameter& p) {
      return std::make_unique<Adam>(std::vector<Parameter*>{&p}, 0.01f, AdamSettings{});
    });
  }
}
