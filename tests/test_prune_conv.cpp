// Structured pruning on the real convolutional layers: filters with their BatchNorm channel,
// input channels, grouped consumers, conv -> flatten -> dense fan-out, residual blocks.
#include <doctest/doctest.h>

#include "nn/layers/activation.h"
#include "nn/layers/flatten.h"
#include "nn/layers/batch_norm.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/global_avg_pool.h"
#include "nn/layers/max_pool2d.h"
#include "nn/layers/residual.h"
#include "prune/pruner.h"
#include "prune/sparsity_report.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

namespace {
std::shared_ptr<Conv2d> conv(std::size_t in, std::size_t out, std::size_t k, std::size_t groups = 1,
                             std::size_t padding = 0) {
  Rng rng(in * 100 + out);
  Conv2dSettings s;
  s.in_channels = in;
  s.out_channels = out;
  s.kernel = k;
  s.groups = groups;
  s.padding = padding;
  return std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng);
}
bool fc_input_zero(const Parameter& w, std::size_t i) {  // w (out, in), masked column i
  for (std::size_t o = 0; o < w.value.dim(0); ++o)
    if (w.mask.data()(o, i) != 0.0f) return false;
  return true;
}
bool slice_zero(const Array& w, std::size_t o, std::size_t c) {  // w (O, I, k, k)
  const std::size_t k2 = w.shape()[2] * w.shape()[3], in = w.shape()[1];
  for (std::size_t j = 0; j < k2; ++j)
    if (w.data()[(o * in + c) * k2 + j] != 0.0f) return false;
  return true;
}
}  // namespace

TEST_CASE(
    "filter pruning zeros the filter, its bias and BatchNorm channel, and the dense inputs it "
    "fed") {
  // (1, 6, 6) -> conv 3x3 -> (4, 4, 4) -> pool 2 -> (4, 2, 2) -> flatten 16 -> dense 3
  Sequential m;
  auto c1 = conv(1, 4, 3);
  auto bn = std::make_shared<BatchNorm>(4, 3);
  auto fc = dense(16, 3, true, xt::ones<float>({3, 16}));
  bn->weight().value.data() = Array{0.1f, 2.0f, 0.05f, 1.0f};
  bn->bias().value.data() = Array{0.3f, 0.3f, 0.3f, 0.3f};
  c1->bias()->value.data() = Array{0.5f, 0.5f, 0.5f, 0.5f};
  m.add("conv1", c1).add("bn1", bn).add("relu", std::make_shared<ReLU>());
  m.add("pool", std::make_shared<MaxPool2d>(2, 2, 0)).add("flatten", std::make_shared<Flatten>());
  m.add("fc", fc);

  auto targets = collect_targets(m);
  REQUIRE(targets.size() == 2);
  CHECK(targets[0].bn_name == "bn1");
  CHECK(targets[0].consumer == &targets[1]);
  CHECK(targets[0].fan_out == 4);

  PruneSettings s;
  s.criterion = "bn_scale";
  s.granularity.kind = Granularity::filter;
  s.scope = Scope::layer;
  CriterionContext ctx;
  PruneStats st = prune(m, s, 0.5, ctx);
  CHECK(st.units == 4);
  CHECK(st.units_pruned == 2);
  const Array& w = c1->weight().value.data();
  for (std::size_t o = 0; o < 4; ++o) {
    CAPTURE(o);
    const bool pruned = o == 0 || o == 2;
    CHECK(slice_zero(w, o, 0) == pruned);
    CHECK((c1->bias()->value.data()(o) == 0.0f) == pruned);
    CHECK((bn->weight().value.data()(o) == 0.0f) == pruned);
    CHECK((bn->bias().value.data()(o) == 0.0f) == pruned);
    for (std::size_t f = 0; f < 4; ++f)
      for (std::size_t r = 0; r < 3; ++r)
        CHECK((fc->weight().value.data()(r, o * 4 + f) == 0.0f) == pruned);
  }
  // The pruned channels are exactly zero after BatchNorm, even in evaluation mode.
  m.eval();
  Array x = empty_array({2, 1, 6, 6});
  Rng rng(5);
  for (float& v : x) v = rng.normal();
  Variable h = bn->forward(c1->forward(Variable(x)));
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t i = 0; i < 16; ++i) {
      CHECK(h.data().data()[(b * 4 + 0) * 16 + i] == 0.0f);
      CHECK(h.data().data()[(b * 4 + 2) * 16 + i] == 0.0f);
    }
  SparsityReport r = sparsity_report(m);
  CHECK(r.layers[0].units_alive == 2);
  CHECK(r.layers[1].nonzero == 24);  // half of fc's inputs are dead
}

TEST_CASE("channel pruning zeros the same input channel in every filter") {
  Sequential m;
  auto c1 = conv(2, 4, 3, 1, 1);
  auto c2 = conv(4, 3, 3, 1, 1);
  m.add("conv1", c1).add("relu", std::make_shared<ReLU>()).add("conv2", c2);
  // Input channel c of conv2 has L1 norm proportional to (c + 1) * 10, except channel 2.
  Array w = empty_array({3, 4, 3, 3});
  for (std::size_t o = 0; o < 3; ++o)
    for (std::size_t c = 0; c < 4; ++c)
      for (std::size_t j = 0; j < 9; ++j)
        w.data()[(o * 4 + c) * 9 + j] = c == 2 ? 0.01f : (c + 1) * 10.0f;
  c2->weight().value.data() = w;
  PruneSettings s;
  s.criterion = "l1_norm";
  s.granularity.kind = Granularity::channel;
  s.scope = Scope::layer;
  CriterionContext ctx;
  prune(m, s, 0.5, ctx);
  for (std::size_t o = 0; o < 3; ++o)
    for (std::size_t c = 0; c < 4; ++c)
      CHECK(slice_zero(c2->weight().value.data(), o, c) == (c == 0 || c == 2));
  CHECK_FALSE(c1->weight().has_mask());  // the first conv's inputs are the image's channels
}

TEST_CASE("a pruned filter goes with the matching filter of a depthwise consumer (one group)") {
  Sequential m;
  auto c1 = conv(1, 4, 1);
  auto dw = conv(4, 4, 3, 4, 1);  // depthwise: filter o reads channel o only
  m.add("c1", c1)
      .add("relu", std::make_shared<ReLU>())
      .add("dw", dw)
      .add("relu2", std::make_shared<ReLU>());
  m.add("gap", std::make_shared<GlobalAvgPool>()).add("flatten", std::make_shared<Flatten>());
  m.add("fc", dense(4, 2, true, xt::ones<float>({2, 4})));
  Array w1 = Array{5, 0.1f, 6, 7};
  w1.reshape({4, 1, 1, 1});
  c1->weight().value.data() = w1;
  dw->weight().value.data() = xt::ones<float>({4, 1, 3, 3});
  auto targets = collect_targets(m);
  CHECK(targets[1].groups == 4);
  CHECK(targets[0].consumer == &targets[1]);
  CHECK(targets[1].consumer == &targets[2]);  // through GlobalAvgPool and Flatten, fan-out 1
  CHECK(targets[1].fan_out == 1);
  PruneSettings s;
  s.criterion = "l1_norm";
  s.granularity.kind = Granularity::filter;
  s.scope = Scope::layer;
  CriterionContext ctx;
  SUBCASE("both writers of channel 1 lose it, and fc its input") {
    prune(m, s, 0.25, ctx);
    for (std::size_t o = 0; o < 4; ++o) {
      CHECK(slice_zero(c1->weight().value.data(), o, 0) == (o == 1));
      CHECK(slice_zero(dw->weight().value.data(), o, 0) == (o == 1));
      CHECK((dw->bias()->mask.data()(o) == 0.0f) == (o == 1));
    }
    CHECK(targets[2].weight->has_mask());
    CHECK(fc_input_zero(*targets[2].weight, 1));
  }
  SUBCASE("excluding the depthwise conv keeps the whole group") {
    s.overrides = {{"dw", true, -1.0, 1.0}};
    prune(m, s, 0.25, ctx);
    CHECK_FALSE(c1->weight().has_mask());
    CHECK_FALSE(dw->weight().has_mask());
  }
}

TEST_CASE("residual blocks: chains traced inside the body, not across the add") {
  auto body = std::make_shared<Sequential>();
  body->add("0", conv(4, 4, 3, 1, 1)).add("1", std::make_shared<BatchNorm>(4, 3));
  body->add("2", std::make_shared<ReLU>()).add("3", conv(4, 4, 3, 1, 1));
  body->add("4", std::make_shared<BatchNorm>(4, 3));
  Sequential m;
  m.add("stem", conv(1, 4, 3, 1, 1)).add("relu", std::make_shared<ReLU>());
  m.add("block", std::make_shared<Residual>(body, nullptr));
  m.add("gap", std::make_shared<GlobalAvgPool>()).add("flatten", std::make_shared<Flatten>());
  m.add("fc", dense(4, 2, true, xt::ones<float>({2, 4})));
  auto t = collect_targets(m);
  REQUIRE(t.size() == 4);
  CHECK(t[0].name == "stem");
  CHECK(t[0].consumer == nullptr);
  CHECK(t[1].name == "block.body.0");
  CHECK(t[1].bn_name == "block.body.1");
  CHECK(t[1].consumer == &t[2]);
  CHECK(t[2].bn_name == "block.body.4");
  CHECK(t[2].consumer == nullptr);
  CHECK(t[3].name == "fc");
}

TEST_CASE("N:M on a convolution groups M input channels at each kernel position") {
  Sequential m;
  auto c = conv(8, 3, 3);
  m.add("conv", c);
  PruneSettings s;
  s.granularity.kind = Granularity::n_m;
  CriterionContext ctx;
  prune(m, s, 0.0, ctx);
  const Array& w = c->weight().value.data();  // (3, 8, 3, 3)
  for (std::size_t o = 0; o < 3; ++o)
    for (std::size_t j = 0; j < 9; ++j)
      for (std::size_t g = 0; g < 8; g += 4) {
        int kept = 0;
        for (std::size_t i = g; i < g + 4; ++i) kept += w.data()[(o * 8 + i) * 9 + j] != 0.0f;
        CHECK(kept == 2);
      }
  CHECK(sparsity_report(m).sparsity() == doctest::Approx(0.5));
}
