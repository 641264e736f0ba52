#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/ops.h"
#include "core/sparse_linear.h"
#include "experiment/config/config.h"
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"
#include "prune/schedules/sparse_topology.h"
#include "prune_test_models.h"
#include "train/optimizer.h"

using namespace poda;
using namespace poda::test;

namespace {

// The update written the plain way: sort everything, drop the k smallest kept magnitudes,
// grow the k largest scores among the then-empty entries; new entries start at zero.
std::vector<float> reference_update(std::vector<float>& w, const std::vector<float>& mask,
                                    const std::vector<float>& score, std::size_t k) {
  const std::size_t n = w.size();
  std::vector<std::size_t> kept, empty;
  for (std::size_t i = 0; i < n; ++i)
    if (mask[i] != 0.0f) kept.push_back(i);
  std::stable_sort(kept.begin(), kept.end(),
                   [&](std::size_t a, std::size_t b) { return std::fabs(w[a]) < std::fabs(w[b]); });
  std::vector<float> next = mask;
  for (std::size_t j = 0; j < k; ++j) next[kept[j]] = 0.0f;
  for (std::size_t i = 0; i < n; ++i)
    if (next[i] == 0.0f) empty.push_back(i);
  std::stable_sort(empty.begin(), empty.end(),
                   [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  for (std::size_t j = 0; j < k; ++j) {
    next[empty[j]] = 1.0f;
    if (mask[empty[j]] == 0.0f) w[empty[j]] = 0.0f;
  }
  return next;
}

}  // namespace

TEST_CASE("dynamic sparse: one mask update by hand, then against the plain reference") {
  // 6 entries, kept {0, 2, 3, 5}: drop the 2 smallest |w| (entries 3 and 5), grow the 2
  // largest scores among {1, 3, 4, 5}: 4 (0.9) and 3 (0.8, just dropped: keeps its weight).
  std::vector<float> w = {0.5f, 0.0f, -0.7f, 0.1f, 0.0f, -0.2f};
  const std::vector<float> mask = {1, 0, 1, 1, 0, 1};
  const std::vector<float> score = {0.0f, 0.3f, 0.0f, 0.8f, 0.9f, 0.1f};
  const std::vector<float> next = update_topology(w.data(), mask.data(), score.data(), 6, 2);
  CHECK(next == std::vector<float>{1, 0, 1, 1, 1, 0});
  CHECK(w == std::vector<float>{0.5f, 0.0f, -0.7f, 0.1f, 0.0f, -0.2f});
  Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    CAPTURE(trial);
    const std::size_t n = 50 + rng.below(50), k = rng.below(20);
    std::vector<float> wa(n), m(n), s(n);
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = rng.uniform() < 0.4f ? 1.0f : 0.0f;
      wa[i] = m[i] * std::round(rng.normal() * 4.0f) / 4.0f;  // ties included
      s[i] = std::round(rng.uniform() * 8.0f);
    }
    std::vector<float> wb = wa;
    const std::vector<float> got = update_topology(wa.data(), m.data(), s.data(), n, k);
    const std::vector<float> want =
        reference_update(wb, m, s, std::min(k, std::size_t(std::count(m.begin(), m.end(), 1.0f))));
    CHECK(got == want);
    CHECK(wa == wb);
    CHECK(std::count(got.begin(), got.end(), 1.0f) == std::count(m.begin(), m.end(), 1.0f));
  }
}

TEST_CASE("dynamic sparse: ERK densities follow the hand formula; uniform is flat") {
  // LeNet-300-100 at density 0.1: raw sizes (sum of dims) 1084, 400, 110 over 266,200 weights.
  const std::vector<Shape> shapes = {{300, 784}, {100, 300}, {10, 100}};
  const double total = 235200 + 30000 + 1000;
  // First pass eps = 26620 / 1594 puts fc3 at 1.84 > 1: dense; again over fc1 and fc2.
  const double eps = (0.1 * total - 1000) / (1084 + 400);
  const std::vector<double> d = layer_densities(shapes, 0.1, LayerDensities::erk);
  REQUIRE(d.size() == 3);
  CHECK(d[0] == doctest::Approx(eps * 1084 / 235200));
  CHECK(d[1] == doctest::Approx(eps * 400 / 30000));
  CHECK(d[2] == 1.0);
  CHECK(d[0] * 235200 + d[1] * 30000 + d[2] * 1000 == doctest::Approx(0.1 * total));
  // A convolution counts its kernel dimensions too: (6, 1, 5, 5) has raw 17 / 150.
  const std::vector<double> c =
      layer_densities({{6, 1, 5, 5}, {16, 6, 5, 5}}, 0.1, LayerDensities::erk);
  const double e = 0.1 * (150 + 2400) / (17 + 32);
  CHECK(c[0] == doctest::Approx(e * 17 / 150));
  CHECK(c[1] == doctest::Approx(e * 32 / 2400));
  CHECK(layer_densities(shapes, 0.1, LayerDensities::uniform) == std::vector<double>(3, 0.1));
  CHECK(parse_layer_densities("erk") == LayerDensities::erk);
  CHECK_THROWS_AS(parse_layer_densities("er"), std::invalid_argument);
}

TEST_CASE("dynamic sparse: random topology keeps round(density n); cosine drop fraction") {
  Rng rng(3);
  const Array m = random_topology({40, 25}, 0.1, rng);
  CHECK(std::count(m.begin(), m.end(), 1.0f) == 100);
  CHECK(std::count(m.begin(), m.end(), 0.0f) == 900);
  CHECK(cosine_drop_fraction(0, 0.3, 1000) == doctest::Approx(0.3));
  CHECK(cosine_drop_fraction(500, 0.3, 1000) == doctest::Approx(0.15));
  CHECK(cosine_drop_fraction(250, 0.3, 1000) == doctest::Approx(0.15 * (1 + std::sqrt(0.5))));
  CHECK(cosine_drop_fraction(1000, 0.3, 1000) == 0.0);
}

namespace {

// A two-layer model trained for real (SGD with momentum on one fixed batch), the steps
// reported to the schedule; RigL's dense gradient comes from the same batch.
struct DstFixture {
  Sequential model;
  std::shared_ptr<Dense> fc1 = dense(10, 8, true, distinct_weights({8, 10}, 11) * 0.01f);
  std::shared_ptr<Dense> fc2 = dense(8, 4, true, distinct_weights({4, 8}, 12) * 0.01f);
  Array x = empty_array({16, 10});
  std::vector<int> labels;
  ScheduleHooks hooks;
  // Called before and after on_step at each step (with the count of steps taken).
  std::function<void(long)> before_step, after_step;
  DstFixture() {
    model.add("fc1", fc1).add("relu", std::make_shared<ReLU>()).add("fc2", fc2);
    Rng rng(5);
    for (float& v : x) v = rng.normal();
    for (int i = 0; i < 16; ++i) labels.push_back(i % 4);
    hooks.steps_per_epoch = 10;
    hooks.compute_gradients = [this](Module& m, int) {
      cross_entropy(m.forward(Variable(x)), labels).backward();
    };
    hooks.evaluate = [](Module&) { return Accuracy{0.5, 0.5}; };
    hooks.train = [this](Module& m, const TrainRequest& r) {
      Sgd sgd(m.parameters(), 0.1f, SgdSettings{0.9f, false, 0.0f});
      for (long t = 0; t < r.epochs * hooks.steps_per_epoch; ++t) {
        sgd.zero_grad();
        cross_entropy(m.forward(Variable(x)), labels).backward();
        sgd.step();
        if (before_step) before_step(t + 1);
        if (r.on_step) r.on_step(t);
        if (after_step) after_step(t + 1);
      }
    };
  }
  std::vector<Parameter*> layers() { return {&fc1->weight(), &fc2->weight()}; }
};

std::vector<float> values(const Array& a) {
  return std::vector<float>(a.begin(), a.end());
}

PruneSettings dst_settings(const std::string& kind) {
  PruneSettings s;
  s.sparsity = 0.5;
  s.schedule.kind = kind;
  s.schedule.numbers["train_epochs"] = 2;
  s.schedule.numbers["update_interval"] = 4;
  return s;
}

}  // namespace

TEST_CASE("rigl: every mask update matches the plain reference on the dense gradient") {
  DstFixture f;
  set_sparse_training(SparseTraining::forced);  // the sparse path, which must follow the masks
  const long end = std::lround(0.75 * 20);      // end_fraction of 2 epochs x 10 steps
  std::vector<std::vector<float>> want_w, want_mask;
  int updates = 0;
  auto update_step = [&](long done) { return done % 4 == 0 && done < end; };
  f.before_step = [&](long done) {
    if (!update_step(done)) return;
    want_w.clear(), want_mask.clear();
    const double fraction = cosine_drop_fraction(done, 0.3, end);
    std::vector<Array> saved;  // the dense gradient with every mask lifted, as RigL takes it
    for (Parameter* p : f.layers()) saved.push_back(p->mask.data()), p->remove_mask();
    for (Parameter* q : f.model.parameters()) q->value.zero_grad();
    f.hooks.compute_gradients(f.model, 0);
    for (std::size_t l = 0; l < 2; ++l) {
      Parameter* p = f.layers()[l];
      std::vector<float> w = values(p->value.data()), mask = values(saved[l]);
      std::vector<float> score = values(p->value.grad());
      for (float& v : score) v = std::fabs(v);
      p->set_mask(saved[l]);
      const auto kept = std::size_t(std::count(mask.begin(), mask.end(), 1.0f));
      want_mask.push_back(
          reference_update(w, mask, score, std::size_t(std::llround(fraction * kept))));
      for (std::size_t i = 0; i < w.size(); ++i) w[i] *= want_mask.back()[i];  // dropped: zero
      want_w.push_back(w);
    }
  };
  f.after_step = [&](long done) {
    if (!update_step(done)) return;
    ++updates;
    for (std::size_t l = 0; l < 2; ++l) {
      CAPTURE(done);
      CAPTURE(l);
      CHECK(values(f.layers()[l]->mask.data()) == want_mask[l]);
      CHECK(values(f.layers()[l]->value.data()) == want_w[l]);
    }
  };
  reset_pattern_build_cost();
  const ScheduleResult r = run_schedule(f.model, dst_settings("rigl"), f.hooks);
  CHECK(updates == 3);  // after steps 4, 8 and 12 of 20 (none from 15 on)
  REQUIRE(r.rounds.size() == 1);
  CHECK(r.rounds[0].stats.weight_sparsity() == doctest::Approx(0.5).epsilon(0.02));
  // ERK: fc2 (4, 8) is denser than fc1 (8, 10); the counts never change.
  const auto kept = [](Parameter* p) { return p->live_indices().size(); };
  CHECK(kept(f.layers()[1]) * 80 > kept(f.layers()[0]) * 32);
  // Each update's new masks made both layers rebuild their pattern at the next forward
  // (the test's own remove/set of the masks too, before the same forward): 2 at the start,
  // then 2 per update.
  CHECK(pattern_build_cost().builds == 2 + 2 * 3);
  // The sparse path follows the last masks: the same outputs as the masked dense path.
  const Array sparse_y = f.model.forward(Variable(f.x)).data();
  set_sparse_training(SparseTraining::off);
  const Array dense_y = f.model.forward(Variable(f.x)).data();
  for (std::size_t i = 0; i < sparse_y.size(); ++i)
    CHECK(sparse_y.data()[i] == doctest::Approx(dense_y.data()[i]).epsilon(1e-5));
  set_sparse_training(SparseTraining::measured);
}

TEST_CASE("set: random regrowth keeps every layer's count, seeded") {
  auto masks_after = [](std::uint64_t seed) {
    DstFixture f;
    PruneSettings s = dst_settings("set");
    s.seed = seed;
    s.schedule.strings["densities"] = "uniform";
    std::vector<float> initial;
    f.before_step = [&](long done) {
      if (done == 1) initial = values(f.fc1->weight().mask.data());
    };
    run_schedule(f.model, s, f.hooks);
    CHECK(f.fc1->weight().live_indices().size() == 40);
    CHECK(f.fc2->weight().live_indices().size() == 16);
    CHECK(values(f.fc1->weight().mask.data()) != initial);  // the topology moved
    return values(f.fc1->weight().mask.data());
  };
  CHECK(masks_after(1) == masks_after(1));
  CHECK(masks_after(1) != masks_after(2));
}

TEST_CASE("dynamic sparse: keys validated; regrown weights get fresh optimiser state") {
  PruneSettings s = dst_settings("rigl");
  s.schedule.strings["densities"] = "erdos";
  s.schedule.numbers["drop_fraction"] = 1.5;
  s.granularity.kind = Granularity::neuron;
  const std::vector<FieldError> e = check_prune_settings(s);
  auto has = [&](const std::string& field) {
    return std::any_of(e.begin(), e.end(), [&](const FieldError& x) { return x.field == field; });
  };
  CHECK(has("schedule.densities"));
  CHECK(has("schedule.drop_fraction"));
  CHECK(has("granularity"));
  CHECK(check_prune_settings(dst_settings("set")).empty());
  // Momentum of a dropped entry is forgotten, so growing it back starts from rest.
  Parameter p;
  p.value = Variable(zeros_array({8}), true);
  Array m = zeros_array({8});
  m.data()[0] = m.data()[1] = 1.0f;
  p.set_mask(m);
  Sgd sgd({&p}, 0.1f, SgdSettings{0.9f, false, 0.0f});
  p.value.add_grad(xt::ones<float>({8}));
  sgd.step();  // velocity 1 at entries 0 and 1
  Array dropped = zeros_array({8});
  dropped.data()[1] = dropped.data()[2] = 1.0f;
  p.set_mask(dropped);
  p.value.zero_grad();
  p.value.add_grad(zeros_array({8}));
  sgd.step();
  p.set_mask(m);  // entry 0 grows back at zero
  p.value.zero_grad();
  p.value.add_grad(zeros_array({8}));
  sgd.step();
  CHECK(p.value.data()(0) == 0.0f);
  CHECK(p.value.data()(1) != 0.0f);  // kept throughout: its momentum still moves it
}

TEST_CASE("config: rigl keys and train.sparse_training, errors at file:line:col") {
  auto parse = [](const std::string& text) {
    return parse_experiment_config(YAML::Load(text), "exp.yaml");
  };
  auto error_of = [&](const std::string& text) -> std::string {
    try {
      parse(text);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string head = "model: {zoo: lenet300_100}\n";
  const ExperimentConfig c =
      parse(head +
            "train: {sparse_training: off}\nprune:\n  sparsity: 0.9\n"
            "  schedule: {kind: rigl, densities: uniform, update_interval: 50}\n");
  CHECK(c.train.sparse_training == SparseTraining::off);
  CHECK(c.prune->schedule.strings.at("densities") == "uniform");
  CHECK(parse(head).train.sparse_training == SparseTraining::measured);
  CHECK(error_of(head + "train: {sparse_training: of}\n")
            .rfind("exp.yaml:2:26: 'train.sparse_training': unknown value 'of'", 0) == 0);
  CHECK(error_of(head + "prune:\n  sparsity: 0.9\n  schedule: {kind: rigl, densities: erx}\n")
            .rfind("exp.yaml:4:37: 'prune.schedule.densities': unknown layer densities 'erx'", 0) ==
        0);
}
