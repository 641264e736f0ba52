// Pruning together with the real optimizers and the real trainer.
#include <doctest/doctest.h>

#include "core/ops.h"
#include "data/splits.h"
#include "prune/pruner.h"
#include "experiment/runner/trainer_hooks.h"
#include "prune/select.h"
#include "prune_test_models.h"
#include "train/optimizer.h"

using namespace poda;
using namespace poda::test;

TEST_CASE("after 1,000 steps of SGD-momentum, Adam and weight decay no pruned weight is non-zero") {
  auto run = [](Granularity g, auto make_optimizer) {
    Rng rng(21);
    Sequential m;
    auto fc1 = dense(8, 16, true, distinct_weights({16, 8}, 1) * 0.05f);
    auto fc2 = dense(16, 4, true, distinct_weights({4, 16}, 2) * 0.05f);
    m.add("fc1", fc1).add("relu", std::make_shared<ReLU>()).add("fc2", fc2);
    PruneSettings s;
    s.granularity.kind = g;
    s.criterion = g == Granularity::neuron ? "l2_norm" : "magnitude";
    s.include_bias = g == Granularity::unstructured;
    CriterionContext ctx;
    prune(m, s, 0.5, ctx);
    const Array w1 = fc1->weight().value.data();
    auto opt = make_optimizer(m.parameters());
    for (int step = 0; step < 1000; ++step) {
      Array x = empty_array({6, 8});
      for (float& v : x) v = rng.normal();
      std::vector<int> labels(6);
      for (int& l : labels) l = static_cast<int>(rng.below(4));
      opt->zero_grad();
      cross_entropy(m.forward(Variable(x)), labels).backward();
      opt->step();
    }
    std::size_t masked = 0, revived = 0, moved = 0;
    for (Parameter* p : m.parameters()) {
      if (!p->has_mask()) continue;
      for (std::size_t i = 0; i < p->value.size(); ++i)
        if (p->mask.data().data()[i] == 0.0f) {
          ++masked;
          revived += p->value.data().data()[i] != 0.0f;
        }
    }
    for (std::size_t i = 0; i < w1.size(); ++i)
      moved += w1.data()[i] != 0.0f && fc1->weight().value.data().data()[i] != w1.data()[i];
    CHECK(masked > 0);
    CHECK(revived == 0);
    CHECK(moved > 0);  // training did happen
  };
  for (Granularity g : {Granularity::unstructured, Granularity::neuron}) {
    CAPTURE(granularity_name(g));
    run(g, [](std::vector<Parameter*> p) {
      return std::make_unique<Sgd>(p, 0.05f, SgdSettings{0.9f, true, 5e-3f});
    });
    run(g, [](std::vector<Parameter*> p) {
      return std::make_unique<Adam>(p, 0.01f, AdamSettings{0.9f, 0.999f, 1e-8f, 1e-3f});
    });
    run(g, [](std::vector<Parameter*> p) {
      AdamSettings a;
      a.weight_decay = 0.05f;
      a.decoupled = true;
      return std::make_unique<Adam>(p, 0.01f, a);
    });
  }
}

namespace {
// 2x2 one-channel images; the class is whether the first pixel is bright.
ImageSet two_class_set(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  ImageSet s;
  s.count = n;
  s.channels = 1;
  s.height = s.width = 2;
  s.num_classes = 2;
  for (std::size_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(rng.below(2));
    s.pixels.push_back(static_cast<std::uint8_t>(label ? 160 + rng.below(90) : rng.below(90)));
    for (int k = 0; k < 3; ++k) s.pixels.push_back(static_cast<std::uint8_t>(rng.below(256)));
    s.labels.push_back(static_cast<std::uint8_t>(label));
  }
  return s;
}
}  // namespace

TEST_CASE("schedule driver on the real trainer: Taylor one-shot, then fine-tuning") {
  SplitOptions so;
  so.val_fraction = 0.2;
  DataSplits data = make_splits(two_class_set(400, 1), two_class_set(200, 2), so);
  const Normalization norm = identity_normalization(1);
  Rng rng(3);
  Sequential model;
  model.add("flatten", std::make_shared<Flatten>());
  model.add("fc1", std::make_shared<Dense>(4, 16, true, Init::kaiming_uniform, rng));
  model.add("relu", std::make_shared<ReLU>());
  model.add("fc2", std::make_shared<Dense>(16, 2, true, Init::kaiming_uniform, rng));
  TrainSettings ts;
  ts.epochs = 5;
  ts.batch_size = 16;
  ts.lr = 0.1f;
  fit(model, data, norm, ts, 7, "train");

  std::vector<EpochMetrics> epochs;
  ScheduleHooks hooks =
      trainer_hooks(data, norm, ts, 7, [&](const EpochMetrics& m) { epochs.push_back(m); });
  PruneSettings s;
  s.criterion = "taylor";
  s.sparsity = 0.5;
  s.data_batches = 3;
  s.finetune_epochs = 2;
  ScheduleResult r = run_schedule(model, s, hooks);
  REQUIRE(epochs.size() == 2);
  CHECK(epochs[0].phase == "finetune");
  CHECK(epochs[1].sparsity == doctest::Approx(units_for_fraction(0.5, 96) / 96.0));
  CHECK(r.rounds[0].stats.weights_pruned == 48);
  CHECK(sparsity_report(model).sparsity() == doctest::Approx(0.5));
  CHECK(r.final.test > 0.9);  // the task is easy; the pruned, fine-tuned model still solves it
  CHECK(r.final.val > 0.9);
}
