// ONNX import: export -> bytes -> import gives the same function (a pruned conv net with
// BatchNorm, residual blocks with identity and projection shortcuts, pooling, Dense), MatMul +
// Add becomes a Dense layer, and an op poda has no layer for is an error naming the node.
#include <doctest/doctest.h>

#include "core/random.h"
#include "experiment/config/config.h"
#include "interop/onnx_export.h"
#include "interop/onnx_import.h"
#include "nn/layers/batch_norm.h"
#include "nn/model_builder.h"
#include "prune/pruner.h"
#include "gradcheck.h"

using namespace poda;

namespace {

const char* kResidualNet = R"(model:
  layers:
    - {type: conv2d, name: stem, out: 6, kernel: 3, padding: 1}
    - {type: batchnorm}
    - {type: relu}
    - type: residual
      layers:
        - {type: conv2d, out: 6, kernel: 3, padding: 1}
        - {type: batchnorm}
        - {type: relu}
        - {type: conv2d, out: 6, kernel: 3, padding: 1}
    - type: residual
      layers:
        - {type: conv2d, out: 8, kernel: 3, padding: 1, stride: 2}
        - {type: relu}
        - {type: conv2d, out: 8, kernel: 3, padding: 1}
      shortcut:
        - {type: conv2d, out: 8, kernel: 1, stride: 2, bias: false}
    - {type: relu}
    - {type: avgpool2d, kernel: 2, padding: 1}
    - {type: maxpool2d, kernel: 2}
    - {type: global_avgpool}
    - {type: dense, out: 12}
    - {type: batchnorm}
    - {type: tanh}
    - {type: dense, out: 5}
prune: {criterion: magnitude, sparsity: 0.6, scope: layer}
)";

std::shared_ptr<Sequential> pruned_residual_net() {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(kResidualNet), "net.yaml");
  Rng rng(4);
  auto model = build_model(c.model.layers, {2, 12, 12}, c.model.init, rng);
  for (auto& [name, m] : model->named_modules())
    if (auto* bn = dynamic_cast<BatchNorm*>(m)) {
      for (float& v : bn->running_mean()) v = 0.3f * rng.normal();
      for (float& v : bn->running_var()) v = 0.5f + rng.uniform();
      for (float& v : bn->bias().value.data()) v = 0.2f * rng.normal();
    }
  CriterionContext ctx;
  prune(*model, *c.prune, 0.6, ctx);
  model->eval();
  return model;
}

}  // namespace

TEST_CASE("onnx import of poda's own export computes the same function (round trip)") {
  auto model = pruned_residual_net();
  Normalization norm{{0.4f, 0.6f}, {0.25f, 0.5f}};
  const std::string bytes = serialize_onnx(export_onnx(*model, {2, 12, 12}, norm));
  const ImportedModel imported = import_onnx(parse_onnx(bytes, "net.onnx"), "net.onnx");
  CHECK(imported.input == Shape{2, 12, 12});
  CHECK(imported.norm.mean == norm.mean);
  CHECK(imported.norm.std == norm.std);
  auto back = build_imported(imported);
  const Array x = poda::testing::random_array({3, 2, 12, 12}, 7);
  const Array a = model->forward(Variable(x)).data(), b = back->forward(Variable(x)).data();
  REQUIRE(a.shape() == b.shape());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(b.data()[i] == doctest::Approx(a.data()[i]).epsilon(1e-4).scale(1.0));
  }
  // Every BatchNorm follows a Conv2d or a Dense directly: the export folded them all.
  std::size_t batch_norms = 0;
  for (auto& [name, m] : back->named_modules())
    batch_norms += dynamic_cast<BatchNorm*>(m) != nullptr;
  CHECK(batch_norms == 0);
  // The printed layer list is a valid model section: it builds the same architecture.
  const ExperimentConfig c = parse_experiment_config(
      YAML::Load("model: {layers: " + layers_yaml(imported.layers) + "}"), "imported.yaml");
  CHECK(build_model(c.model.layers, {2, 12, 12}, c.model.init, *std::make_unique<Rng>(1))
            ->parameter_count() == back->parameter_count());
}

TEST_CASE("onnx import: MatMul + Add is a Dense layer; an unknown op names its node") {
  OnnxModel m;
  m.inputs = {{"x", {-1, 3}}};
  m.outputs = {{"y", {-1, 2}}};
  m.initializers = {{"w", {3, 2}, {1, 2, 3, 4, 5, 6}, {}, false},
                    {"b", {2}, {0.5f, -1}, {}, false}};
  OnnxNode matmul{"mm", "MatMul", {"x", "w"}, {"h"}, {}};
  OnnxNode add{"bias", "Add", {"h", "b"}, {"y"}, {}};
  m.nodes = {matmul, add};
  const ImportedModel imported = import_onnx(parse_onnx(serialize_onnx(m), "mm.onnx"), "mm.onnx");
  auto model = build_imported(imported);
  const Array y = model->forward(Variable(Array{{1.0f, 0.0f, 2.0f}})).data();
  CHECK(y(0, 0) == doctest::Approx(1 + 2 * 5 + 0.5));
  CHECK(y(0, 1) == doctest::Approx(2 + 2 * 6 - 1));

  m.nodes = {matmul, OnnxNode{"soft", "Softmax", {"h"}, {"y"}, {}}};
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(m), "sm.onnx"), "sm.onnx"),
                       doctest::Contains("node 'soft' (Softmax): unsupported op"), OnnxError);
  CHECK_THROWS_AS(parse_onnx("not a model", "bad.onnx"), OnnxError);
}
