#include <doctest/doctest.h>

#include "core/ops.h"
#include "gradcheck.h"
#include "measure/compact.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"

using namespace poda;

namespace {

// Outputs of both models on the same inputs, in evaluation mode.
void check_same_function(Sequential& a, Sequential& b, const Shape& sample) {
  a.eval();
  b.eval();
  Shape shape{5};
  shape.insert(shape.end(), sample.begin(), sample.end());
  const Variable x(poda::testing::random_array(shape, 11));
  NoGradGuard no_grad;
  const Array ya = a.forward(x).data(), yb = b.forward(x).data();
  CHECK(xt::allclose(ya, yb, 1e-4, 1e-5));
}

PruneSettings structured(Granularity g, double sparsity) {
  PruneSettings s;
  s.granularity.kind = g;
  s.scope = Scope::layer;
  s.sparsity = sparsity;
  return s;
}

}  // namespace

TEST_CASE("compaction: neuron-pruned LeNet-300-100 gets smaller and computes the same") {
  Rng rng(1);
  auto model =
      build_model(find_zoo_model("lenet300_100")->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  CriterionContext ctx;
  prune(*model, structured(Granularity::neuron, 0.5), 0.5, ctx);
  const CompactResult c = compact_model(*model, {1, 28, 28});
  REQUIRE(c.model);
  const auto params = c.model->named_parameters();
  CHECK(params[0].second->value.shape() == Shape{150, 784});  // half of fc1's neurons
  CHECK(params[2].second->value.shape() == Shape{50, 150});   // half of fc2's, fc1's gone
  CHECK(params[4].second->value.shape() == Shape{10, 50});    // the classes stay
  CHECK(c.model->macs({1, 28, 28}) == 150 * 784 + 50 * 150 + 10 * 50);
  check_same_function(*model, *c.model, {1, 28, 28});
}

TEST_CASE("compaction: filter pruning through BatchNorm, pooling and flatten") {
  Rng rng(2);
  std::vector<LayerSpec> layers{
      layer("conv2d", "conv1", {{"out", 6}, {"kernel", 3}, {"padding", 1}}),
      layer("batchnorm", "bn1"),
      layer("relu"),
      layer("maxpool2d", "pool", {{"kernel", 2}}),
      layer("conv2d", "conv2", {{"out", 8}, {"kernel", 3}}),
      layer("relu"),
      layer("flatten"),
      layer("dense", "fc", {{"out", 10}})};
  auto model = build_model(layers, {2, 8, 8}, Init::kaiming_uniform, rng);
  // Running statistics that are not the identity, so BatchNorm's copy matters.
  model->train();
  model->forward(Variable(poda::testing::random_array({16, 2, 8, 8}, 3)));
  CriterionContext ctx;
  prune(*model, structured(Granularity::filter, 0.5), 0.5, ctx);
  const CompactResult c = compact_model(*model, {2, 8, 8});
  REQUIRE(c.model);
  const auto params = c.model->named_parameters();
  CHECK(params[0].second->value.shape() == Shape{3, 2, 3, 3});     // conv1: 3 of 6 filters
  CHECK(params[4].second->value.shape() == Shape{4, 3, 3, 3});     // conv2: 4 of 8, 3 inputs
  CHECK(params[6].second->value.shape() == Shape{10, 4 * 2 * 2});  // fc: 4 channels of 2x2
  check_same_function(*model, *c.model, {2, 8, 8});
}

TEST_CASE("compaction: a model it cannot cross is reported, not mangled") {
  Rng rng(3);
  std::vector<LayerSpec> layers{layer("flatten"), layer("dense", "fc1", {{"out", 4}}),
                                layer("sigmoid"), layer("dense", "fc2", {{"out", 2}})};
  auto model = build_model(layers, {1, 2, 2}, Init::kaiming_uniform, rng);
  const CompactResult c = compact_model(*model, {1, 2, 2});
  CHECK_FALSE(c.model);
  CHECK(c.reason == "layer '2' (Sigmoid) cannot be compacted");
}
