// Layer types defined here only: registered by name, built from YAML, and handled by the
// pruner's zero tracing and by compaction through their traits alone, and by the inference
// plan through the lowering verbs they describe themselves with (docs/extending.md).
#include <doctest/doctest.h>

#include "core/ops.h"
#include "experiment/config/config.h"
#include "infer/plan.h"
#include "measure/compact.h"
#include "nn/lowering.h"
#include "nn/model_builder.h"
#include "prune/pruner.h"

using namespace poda;

namespace {

// y = x^2: a zero channel stays zero at its index, which is all pruning needs to know.
class Square : public Module {
 public:
  Variable forward(const Variable& x) override { return mul(x, x); }
  std::string type_name() const override { return "Square"; }
  Shape output_shape(const Shape& input) const override { return input; }
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
};

const LayerTypeRegistrar reg("test_square",
                             {{},
                              [](const LayerSpec&, const Shape&, BuildContext&) -> ModulePtr {
                                return std::make_shared<Square>();
                              },
                              "test only: x^2"});

// y = relu(factor * x), per channel of (C, ...): on the inference path, existing verbs only.
class ScaledRelu : public Module {
 public:
  ScaledRelu(float factor, std::size_t channels) : factor_(factor), channels_(channels) {}
  Variable forward(const Variable& x) override { return relu(scale(x, factor_)); }
  std::string type_name() const override { return "ScaledRelu"; }
  Shape output_shape(const Shape& input) const override { return input; }
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }
  void lower(Lowering& to) override {
    Array factor = empty_array({channels_});
    factor.fill(factor_);
    to.channel_affine(std::move(factor), zeros_array({channels_}));
    to.relu();
  }

 private:
  float factor_;
  std::size_t channels_;
};

const LayerTypeRegistrar scaled_relu(
    "test_scaled_relu", {{{"factor", KeyKind::number}},
                         [](const LayerSpec& spec, const Shape& in, BuildContext&) -> ModulePtr {
                           return std::make_shared<ScaledRelu>(
                               static_cast<float>(spec.number_or("factor", 1.0)), in.at(0));
                         },
                         "test only: relu(factor * x), [factor: 1]"});

}  // namespace

TEST_CASE(
    "a layer type registered in a test file is built from YAML, traced through and compacted") {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(R"(
model:
  layers:
    - {type: flatten}
    - {type: dense, name: fc1, out: 4}
    - {type: test_square}
    - {type: dense, name: fc2, out: 2}
prune: {criterion: magnitude, granularity: neuron, sparsity: 0.5, scope: layer}
)"),
                                                     "layer.yaml");
  Rng rng(3);
  auto model = build_model(c.model.layers, {1, 2, 2}, c.model.init, rng);
  CriterionContext ctx;
  prune(*model, *c.prune, 0.5, ctx);
  // Two of fc1's four neurons died; zero tracing went through test_square to fc2's inputs.
  const std::vector<PruneTarget> targets = collect_targets(*model);
  REQUIRE(targets[0].consumer == &targets[1]);
  const Array& fc2_mask = targets[1].weight->mask.data();
  std::size_t dead_inputs = 0;
  for (std::size_t col = 0; col < 4; ++col) dead_inputs += fc2_mask(0, col) == 0.0f;
  CHECK(dead_inputs == 2);
  // Compaction crosses it and computes the same function.
  model->eval();
  const CompactResult compact = compact_model(*model, {1, 2, 2});
  REQUIRE(compact.model);
  CHECK(compact.model->named_parameters()[0].second->value.dim(0) == 2);
  const Variable x(Array{{{{0.5f, -1.0f}, {2.0f, 0.25f}}}});
  const Array a = model->forward(x).data(), b = compact.model->forward(x).data();
  for (std::size_t i = 0; i < a.size(); ++i)
    CHECK(b.data()[i] == doctest::Approx(a.data()[i]).epsilon(1e-5));
}

TEST_CASE("a layer type registered in a test file lowers to the inference plan's verbs") {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(R"(
model:
  layers:
    - {type: flatten}
    - {type: dense, name: fc1, out: 6}
    - {type: test_scaled_relu, factor: 0.5}
    - {type: dense, name: fc2, out: 3}
)"),
                                                     "lowered.yaml");
  Rng rng(4);
  auto model = build_model(c.model.layers, {1, 2, 2}, c.model.init, rng);
  model->eval();
  Array x = empty_array({2, 1, 2, 2});  // (B, C, H, W)
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = 0.3f * float(i) - 1.0f;
  const Array expected = model->forward(Variable(x)).data();  // (B, 3)
  for (Dispatch d : {Dispatch::dense, Dispatch::sparse}) {
    auto plan = build_plan(*model, {1, 2, 2}, d);
    const float* y = plan->run(x.data(), 2);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(i);
      CHECK(y[i] == doctest::Approx(expected.data()[i]).epsilon(1e-5));
    }
  }
}
