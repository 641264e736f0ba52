#include <doctest/doctest.h>

#include "core/ops.h"
#include "nn/layers/dense.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"

using namespace poda;

TEST_CASE("LeNet-300-100: dotted parameter names and the published 266,610 parameters") {
  Rng rng(1);
  auto model =
      build_model(find_zoo_model("lenet300_100")->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  std::vector<std::string> names;
  for (auto& [name, p] : model->named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                          "fc3.weight", "fc3.bias"});
  CHECK(model->parameter_count() == 266610);
  CHECK(model->macs({1, 28, 28}) == 784 * 300 + 300 * 100 + 100 * 10);
  Variable x(zeros_array({5, 1, 28, 28}));
  CHECK(model->forward(x).shape() == Shape{5, 10});
}

TEST_CASE("weights are prunable, biases are not, by default") {
  Rng rng(2);
  Dense d(4, 3, true, Init::xavier_uniform, rng);
  CHECK(d.weight().prunable);
  CHECK_FALSE(d.bias()->prunable);
  CHECK(d.weight().value.shape() == Shape{3, 4});
}

TEST_CASE("a mask applies in the forward pass and masks the gradient") {
  Rng rng(3);
  Dense d(3, 2, false, Init::kaiming_uniform, rng);
  d.weight().value.data() = Array{{1, 2, 3}, {4, 5, 6}};
  d.weight().set_mask(Array{{1, 0, 1}, {0, 1, 1}});
  CHECK(d.weight().value.data() == Array{{1, 0, 3}, {0, 5, 6}});
  // Even if something writes into a pruned weight, the forward pass uses w ⊙ m.
  d.weight().value.data()(0, 1) = 100.0f;
  Variable x(Array{{1, 1, 1}});
  Variable y = d.forward(x);
  CHECK(y.data() == Array{{4, 11}});
  sum(y).backward();
  CHECK(d.weight().value.grad() == Array{{1, 0, 1}, {0, 1, 1}});
}

TEST_CASE("set_mask rejects a wrong shape") {
  Parameter p;
  p.value = Variable(zeros_array({2, 2}), true);
  CHECK_THROWS_WITH_AS(p.set_mask(zeros_array({4})),
                       "mask of shape (4) for a parameter of shape (2, 2)", std::invalid_argument);
}

TEST_CASE("model builder: shape errors name the layer and both shapes") {
  Rng rng(4);
  std::vector<LayerSpec> layers{layer("flatten"),
                                layer("dense", "fc1", {{"in", 800}, {"out", 10}})};
  layers[1].where = "exp.yaml:7:5";
  CHECK_THROWS_WITH_AS(build_model(layers, {1, 28, 28}, Init::kaiming_uniform, rng),
                       "exp.yaml:7:5: layer 1 'fc1' (dense): Dense expects input (800) but gets "
                       "(784)",
                       ShapeError);
  std::vector<LayerSpec> no_flatten{layer("dense", "fc", {{"out", 10}})};
  CHECK_THROWS_AS(build_model(no_flatten, {1, 28, 28}, Init::kaiming_uniform, rng), ShapeError);
  std::vector<LayerSpec> unknown{layer("danse")};
  CHECK_THROWS_WITH_AS(build_model(unknown, {4}, Init::kaiming_uniform, rng),
                       "layer 0 '0' (danse): unknown layer type", ShapeError);
}

TEST_CASE("initialisers: Kaiming uniform bound and determinism per seed") {
  Rng a(7), b(7);
  Array w1 = init_weight({300, 784}, Init::kaiming_uniform, a);
  Array w2 = init_weight({300, 784}, Init::kaiming_uniform, b);
  CHECK(w1 == w2);
  const float bound = std::sqrt(6.0f / 784.0f);
  CHECK(xt::amax(w1)() <= bound);
  CHECK(xt::amin(w1)() >= -bound);
  CHECK(xt::amax(w1)() > 0.95f * bound);  // the range is used, not a narrower one
  Rng c(8);
  Array wn = init_weight({200, 500}, Init::kaiming_normal, c);
  const double sd = std::sqrt(xt::mean(wn * wn)());
  CHECK(sd == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.02));
  CHECK_THROWS_AS(parse_init("he"), std::invalid_argument);
}
