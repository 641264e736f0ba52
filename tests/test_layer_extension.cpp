// A layer type defined here only: registered by name, built from YAML, and handled by the
// pruner's zero tracing and by compaction through its traits alone (docs/extending.md).
#include <doctest/doctest.h>

#include "core/ops.h"
#include "experiment/config/config.h"
#include "measure/compact.h"
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
