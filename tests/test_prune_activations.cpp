// Activation statistics of calibration batches (prune/activations.h) and the two criteria
// built on them, Wanda and APoZ, on hand-made numbers.
#include <doctest/doctest.h>

#include <cmath>

#include "nn/layers/conv2d.h"
#include "prune/activations.h"
#include "prune/criterion.h"
#include "prune/pruner.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

namespace {

// fc1 (2 -> 2, no bias) -> relu -> fc2 (2 -> 1)
struct Net {
  Sequential model;
  std::shared_ptr<Dense> fc1 = dense(2, 2, false, Array{{1, 0}, {0, -1}});
  Net() {
    model.add("fc1", fc1)
        .add("relu", std::make_shared<ReLU>())
        .add("fc2", dense(2, 1, true, Array{{1, 1}}));
  }
};

}  // namespace

TEST_CASE("activation statistics: per feature over batches, before and after the activation") {
  Net n;
  // Batch 0: x = [[1, 2], [3, -4]] -> fc1 [[1, -2], [3, 4]] -> relu [[1, 0], [3, 4]].
  // Batch 1: x = [[0, 0]] -> all zero.
  const std::vector<Array> batches{Array{{1, 2}, {3, -4}}, Array{{0, 0}}};
  std::vector<int> fed;
  ForwardFn forward = [&](Module& m, int b) {
    fed.push_back(b);
    CHECK_FALSE(m.is_training());
    m.forward(Variable(batches[b]));
  };
  n.model.train();
  const ActivationMap a = collect_activations(n.model, collect_targets(n.model), forward, 2);
  CHECK(fed == std::vector<int>{0, 1});
  CHECK(n.model.is_training());  // restored
  const LayerActivations& fc1 = a.at("fc1");
  CHECK(fc1.input.l2_norm[0] == doctest::Approx(std::sqrt(10.0)));
  CHECK(fc1.input.l2_norm[1] == doctest::Approx(std::sqrt(20.0)));
  CHECK(fc1.input.mean[0] == doctest::Approx(4.0 / 3));
  CHECK(fc1.input.mean[1] == doctest::Approx(-2.0 / 3));
  CHECK(fc1.input.zero_fraction[0] == doctest::Approx(1.0 / 3));
  CHECK(fc1.output.mean[1] == doctest::Approx(2.0 / 3));
  CHECK(fc1.output.zero_fraction[1] == doctest::Approx(1.0 / 3));
  CHECK(fc1.activated.zero_fraction[0] == doctest::Approx(1.0 / 3));
  CHECK(fc1.activated.zero_fraction[1] == doctest::Approx(2.0 / 3));
  CHECK(fc1.activated.l2_norm[1] == doctest::Approx(4.0));
  // fc2 has no activation after it: its activated output is its output.
  CHECK(a.at("fc2").input.zero_fraction[1] == doctest::Approx(2.0 / 3));
  CHECK(a.at("fc2").activated.mean == a.at("fc2").output.mean);
  // The observer is gone: another forward pass changes nothing.
  n.model.forward(Variable(batches[0]));
}

TEST_CASE("wanda: |w| times the L2 norm of the input feature or channel") {
  SUBCASE("dense") {
    Net n;
    n.fc1->weight().value.data() = Array{{1, -2}, {3, 4}};
    CriterionContext ctx;
    ctx.model = &n.model;
    ctx.activations["fc1"].input.l2_norm = {2.0, 0.5};
    ctx.activations["fc2"].input.l2_norm = {1.0, 1.0};
    auto targets = collect_targets(n.model);
    auto wanda = make_criterion("wanda_layer");
    wanda->prepare({&targets[0], &targets[1]}, ctx);
    const Array s = wanda->score_weights("fc1.weight", n.fc1->weight(), ctx);
    CHECK(s == Array{{2, 1}, {6, 2}});
    // Through prune(): the hand-made statistics are used (no forward function given).
    PruneSettings settings;
    settings.criterion = "wanda_layer";
    settings.scope = Scope::layer;
    settings.exclude_last = true;
    prune(n.model, settings, 0.25, ctx);
    CHECK(n.fc1->weight().mask.data() == Array{{1, 0}, {1, 1}});
  }
  SUBCASE("grouped conv: each filter reads its own group's channel") {
    Sequential m;
    Rng rng(1);
    Conv2dSettings cs;
    cs.in_channels = 2, cs.out_channels = 2, cs.kernel = 1, cs.groups = 2, cs.bias = false;
    auto conv = std::make_shared<Conv2d>(cs, Init::kaiming_uniform, rng);
    Array w{5, -7};
    w.reshape({2, 1, 1, 1});
    conv->weight().value.data() = w;
    m.add("conv", conv);
    CriterionContext ctx;
    ctx.model = &m;
    ctx.activations["conv"].input.l2_norm = {2.0, 3.0};
    auto targets = collect_targets(m);
    auto wanda = make_criterion("wanda_layer");
    wanda->prepare({&targets[0]}, ctx);
    const Array s = wanda->score_weights("conv.weight", conv->weight(), ctx);
    CHECK(s.data()[0] == 10.0f);
    CHECK(s.data()[1] == 21.0f);
  }
  SUBCASE("without statistics or data it says so") {
    Net n;
    CriterionContext ctx;
    PruneSettings settings;
    settings.criterion = "wanda";
    CHECK_THROWS_WITH_AS(prune(n.model, settings, 0.5, ctx),
                         doctest::Contains("has no activations of layer"), std::invalid_argument);
  }
}

TEST_CASE("wanda compares within each output row (Sun et al. 2023); wanda_layer across it") {
  // Raw scores |w| * ||x||: {{2, 1}, {6, 4}}. Across the layer, 50% removes row 0 entirely;
  // per row, each row loses its lower half.
  auto setup = [](Net& n, CriterionContext& ctx) {
    n.fc1->weight().value.data() = Array{{1, -2}, {3, 8}};
    ctx.model = &n.model;
    ctx.activations["fc1"].input.l2_norm = {2.0, 0.5};
    ctx.activations["fc2"].input.l2_norm = {1.0, 1.0};
  };
  PruneSettings settings;
  settings.scope = Scope::layer;
  settings.exclude_last = true;
  SUBCASE("scores are quantiles within the row, pruned entries counted first") {
    Net n;
    CriterionContext ctx;
    setup(n, ctx);
    auto targets = collect_targets(n.model);
    auto wanda = make_criterion("wanda");
    wanda->prepare({&targets[0], &targets[1]}, ctx);
    CHECK(wanda->score_weights("fc1.weight", n.fc1->weight(), ctx) ==
          Array{{0.75f, 0.25f}, {0.75f, 0.25f}});
    n.fc1->weight().set_mask(Array{{1, 1}, {0, 1}});  // (1, 0) pruned: (1, 1) ranks above it
    wanda->prepare({&targets[0], &targets[1]}, ctx);
    CHECK(wanda->score_weights("fc1.weight", n.fc1->weight(), ctx) ==
          Array{{0.75f, 0.25f}, {0.25f, 0.75f}});
  }
  SUBCASE("prune at 50%") {
    for (const char* name : {"wanda", "wanda_layer"}) {
      Net n;
      CriterionContext ctx;
      setup(n, ctx);
      settings.criterion = name;
      prune(n.model, settings, 0.5, ctx);
      const Array want =
          std::string(name) == "wanda" ? Array{{1, 0}, {1, 0}} : Array{{0, 0}, {1, 1}};
      CHECK(n.fc1->weight().mask.data() == want);
    }
  }
  SUBCASE("a row of 10 at 70% keeps its 3 largest, whatever the other rows hold") {
    Sequential m;
    Array w = zeros_array({3, 10});
    for (std::size_t o = 0; o < 3; ++o)
      for (std::size_t i = 0; i < 10; ++i)
        w(o, i) = float((i * 7 + o * 3) % 10 + 1) * float(o * 100 + 1);
    auto fc = dense(10, 3, false, w);
    m.add("fc", fc);
    CriterionContext ctx;
    ctx.model = &m;
    ctx.activations["fc"].input.l2_norm.assign(10, 1.0);
    settings.criterion = "wanda";
    settings.exclude_last = false;
    prune(m, settings, 0.7, ctx);
    for (std::size_t o = 0; o < 3; ++o)
      for (std::size_t i = 0; i < 10; ++i)
        CHECK(fc->weight().mask.data()(o, i) == ((i * 7 + o * 3) % 10 + 1 > 7 ? 1.0f : 0.0f));
  }
}

TEST_CASE(
    "apoz: 1 - the fraction of zeros after the unit's activation; mostly-zero units go first") {
  Sequential m;
  auto fc1 = dense(2, 3, true, Array{{1, 1}, {2, 2}, {3, 3}});
  m.add("fc1", fc1)
      .add("relu", std::make_shared<ReLU>())
      .add("fc2", dense(3, 2, true, Array{{1, 1, 1}, {1, 1, 1}}));
  CriterionContext ctx;
  ctx.model = &m;
  ctx.activations["fc1"].activated.zero_fraction = {0.1, 0.9, 0.5};
  auto targets = collect_targets(m);
  auto apoz = make_criterion("apoz");
  CHECK(apoz->can_score(targets[0]));
  CHECK_FALSE(apoz->can_score(targets[1]));  // no activation after the classifier
  GranularitySpec g;
  g.kind = Granularity::neuron;
  const Array s = apoz->score_units(targets[0], g, ctx);
  CHECK(s(0) == doctest::Approx(0.9));
  CHECK(s(1) == doctest::Approx(0.1));
  CHECK(s(2) == doctest::Approx(0.5));
  PruneSettings settings;
  settings.criterion = "apoz";
  settings.granularity = g;
  settings.scope = Scope::layer;
  prune(m, settings, 1.0 / 3, ctx);
  CHECK(fc1->weight().mask.data() == Array{{1, 1}, {0, 0}, {1, 1}});
}
