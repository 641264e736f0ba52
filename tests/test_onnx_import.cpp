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

  m.nodes = {matmul, OnnxNode{"erf", "Erf", {"h"}, {"y"}, {}}};
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(m), "erf.onnx"), "erf.onnx"),
                       doctest::Contains("node 'erf' (Erf): unsupported op"), OnnxError);
  m.nodes = {matmul, OnnxNode{"clip", "Clip", {"h"}, {"y"}, {}}};
  CHECK_THROWS_WITH_AS(import_onnx(m, "clip.onnx"),
                       doctest::Contains("node 'clip' (Clip): Clip (ReLU6"), OnnxError);
  CHECK_THROWS_AS(parse_onnx("not a model", "bad.onnx"), OnnxError);
}

namespace {

OnnxTensor ints(const std::string& name, std::vector<std::int64_t> dims,
                std::vector<std::int64_t> values) {
  OnnxTensor t;
  t.name = name;
  t.dims = std::move(dims);
  t.ints = std::move(values);
  t.is_int64 = true;
  return t;
}

OnnxNode constant_node(const std::string& out, OnnxTensor value) {
  OnnxAttribute a;
  a.name = "value";
  a.kind = OnnxAttribute::Kind::tensor;
  a.tensor = std::move(value);
  return OnnxNode{"/" + out, "Constant", {}, {out}, {a}};
}

// What torch.onnx.export writes for conv -> relu -> x.view(x.size(0), -1) -> linear ->
// log_softmax with a dynamic batch axis; `plain` writes a Flatten and no LogSoftmax instead.
OnnxModel torch_like_graph(bool plain) {
  OnnxModel m;
  m.inputs = {{"x", {-1, 2, 4, 4}}};
  m.outputs = {{"y", {-1, 5}}};
  std::vector<float> w(3 * 2), fc(5 * 48), b(5);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * float(i) - 0.2f;
  for (std::size_t i = 0; i < fc.size(); ++i) fc[i] = 0.01f * float(i % 17) - 0.08f;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = 0.1f * float(i);
  m.initializers = {{"w", {3, 2, 1, 1}, w, {}, false}, {"fc.w", {5, 48}, fc, {}, false},
                    {"fc.b", {5}, b, {}, false}};
  m.nodes = {{"/conv1/Conv", "Conv", {"x", "w"}, {"c"}, {}},
             {"/relu/Relu", "Relu", {"c"}, {"r"}, {}}};
  if (plain) {
    m.nodes.push_back({"/flatten/Flatten", "Flatten", {"r"}, {"f"}, {}});
  } else {
    m.nodes.push_back({"/Shape", "Shape", {"r"}, {"s"}, {}});
    m.nodes.push_back(constant_node("k0", ints("k0", {}, {0})));
    m.nodes.push_back({"/Gather", "Gather", {"s", "k0"}, {"g"}, {onnx_int("axis", 0)}});
    m.nodes.push_back(constant_node("axes", ints("axes", {1}, {0})));
    m.nodes.push_back({"/Unsqueeze", "Unsqueeze", {"g", "axes"}, {"u"}, {}});
    m.nodes.push_back(constant_node("minus1", ints("minus1", {1}, {-1})));
    m.nodes.push_back({"/Concat", "Concat", {"u", "minus1"}, {"shape"}, {onnx_int("axis", 0)}});
    m.nodes.push_back({"/Reshape", "Reshape", {"r", "shape"}, {"f"}, {}});
  }
  m.nodes.push_back({"/fc/Gemm", "Gemm", {"f", "fc.w", "fc.b"}, {plain ? "y" : "z"},
                     {onnx_int("transB", 1)}});
  if (!plain) m.nodes.push_back({"/LogSoftmax", "LogSoftmax", {"z"}, {"y"}, {onnx_int("axis", 1)}});
  return m;
}

}  // namespace

TEST_CASE("onnx import: torch's view(x.size(0), -1) is a flatten, a final LogSoftmax is left out") {
  const ImportedModel torch_like = import_onnx(torch_like_graph(false), "torch.onnx");
  const ImportedModel plain = import_onnx(torch_like_graph(true), "plain.onnx");
  std::vector<std::string> types, names;
  for (const LayerSpec& l : torch_like.layers) types.push_back(l.type), names.push_back(l.name);
  CHECK(types == std::vector<std::string>{"conv2d", "relu", "flatten", "dense"});
  // Node names are layer names: torch's module path without the op.
  CHECK(names == std::vector<std::string>{"conv1", "relu", "Reshape", "fc"});
  CHECK(torch_like.dropped_output == "LogSoftmax");
  CHECK(plain.dropped_output.empty());
  CHECK(torch_like.input == Shape{2, 4, 4});
  auto a = build_imported(torch_like), b = build_imported(plain);
  CHECK(a->named_parameters().front().first == "conv1.weight");
  const Array x = poda::testing::random_array({3, 2, 4, 4}, 5);
  CHECK(a->forward(Variable(x)).data() == b->forward(Variable(x)).data());
  // The layer list, names included, is a model section again.
  const ExperimentConfig c = parse_experiment_config(
      YAML::Load("model: {layers: " + layers_yaml(torch_like.layers) + "}\n"
                 "dataset: {name: fashion-mnist}\n"),
      "imported.yaml");
  CHECK(c.model.layers.at(3).name == "fc");
}
