// A ViT built of plain PyTorch modules and exported by torch.onnx.export (opset 13, dynamic
// batch axis): tests/onnx_torch_vit/vit.onnx, made by make_fixture.py beside it, with random
// weights. Its import gives poda's layers (LayerNorm, attention, a Tokenwise MLP with GELU,
// class token, positions, token pool) whose outputs match torch's within 1e-4; poda's own
// vit_tiny export imports back to the same function; a graph that departs from a pattern is
// refused naming the node.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "cli_process.h"
#include "gradcheck.h"
#include "interop/onnx_export.h"
#include "interop/onnx_import.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "onnx_tensor_arrays.h"
#include "test_paths.h"

using namespace poda;

namespace {

const std::string kDir = "/onnx_torch_vit/";

OnnxModel torch_vit() {
  const std::string path = poda_test::tests_dir() + kDir + "vit.onnx";
  return parse_onnx(poda_test::read_text(path), "vit.onnx");
}

Array tensor_file(const std::string& name) {
  const std::string path = poda_test::tests_dir() + kDir + "test_data_set_0/" + name + ".pb";
  return poda_test::onnx_tensor_array(parse_onnx_tensor(poda_test::read_text(path), name));
}

std::size_t count_type(const std::vector<LayerSpec>& layers, const std::string& type) {
  std::size_t n = 0;
  for (const LayerSpec& s : layers) {
    n += s.type == type;
    for (const auto& [key, list] : s.lists) n += count_type(list, type);
  }
  return n;
}

float max_difference(const Array& a, const Array& b) {
  REQUIRE(a.shape() == b.shape());
  float worst = 0.0f;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a.data()[i] - b.data()[i]));
  return worst;
}

OnnxNode& node_of_type(OnnxModel& m, const std::string& op) {
  for (OnnxNode& n : m.nodes)
    if (n.op_type == op) return n;
  FAIL("no " << op << " node");
  return m.nodes.front();
}

}  // namespace

TEST_CASE("onnx import: a torch-exported ViT gives torch's outputs") {
  const ImportedModel imported = import_onnx(torch_vit(), "vit.onnx");
  INFO(layers_yaml(imported.layers));
  CHECK(imported.input == Shape{1, 28, 28});
  CHECK(count_type(imported.layers, "attention") == 2);
  CHECK(count_type(imported.layers, "layernorm") == 5);
  CHECK(count_type(imported.layers, "gelu") == 2);
  CHECK(count_type(imported.layers, "tokenwise") == 2);
  CHECK(count_type(imported.layers, "class_token") == 1);
  CHECK(count_type(imported.layers, "pos_embed") == 1);
  CHECK(count_type(imported.layers, "token_pool") == 1);
  auto model = build_imported(imported);
  NoGradGuard no_grad;
  const Array y = model->forward(Variable(tensor_file("input_0"))).data();
  CHECK(max_difference(y, tensor_file("output_0")) < 1e-4f);
}

TEST_CASE("onnx import: a torch ViT whose equal parameters share one initializer via Identity") {
  // What torch.onnx.export writes when parameters are equal (an untrained LayerNorm's ones).
  OnnxModel m = torch_vit();
  std::size_t aliased = 0;
  for (std::size_t i = 0; i < m.nodes.size() && aliased == 0; ++i) {
    const OnnxNode& n = m.nodes[i];
    if (n.op_type != "Mul" || n.inputs.size() != 2 || n.inputs[1].find("norm") == std::string::npos)
      continue;
    const std::string weight = n.inputs[1], alias = weight + ".alias";
    m.nodes[i].inputs[1] = alias;
    m.nodes.insert(m.nodes.begin(), OnnxNode{"alias", "Identity", {weight}, {alias}, {}});
    ++aliased;
  }
  REQUIRE(aliased == 1);
  auto model = build_imported(import_onnx(m, "vit.onnx"));
  NoGradGuard no_grad;
  const Array y = model->forward(Variable(tensor_file("input_0"))).data();
  CHECK(max_difference(y, tensor_file("output_0")) < 1e-4f);
}

TEST_CASE("onnx import: poda's own vit_tiny export imports back to the same function") {
  Rng rng(5);
  auto model =
      build_model(find_zoo_model("vit_tiny")->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  model->eval();
  const OnnxModel m = export_onnx(*model, {1, 28, 28}, identity_normalization(1));
  auto back = build_imported(import_onnx(parse_onnx(serialize_onnx(m), "own.onnx"), "own.onnx"));
  const Array x = poda::testing::random_array({3, 1, 28, 28}, 6, 0.0f, 1.0f);
  NoGradGuard no_grad;
  CHECK(max_difference(model->forward(Variable(x)).data(), back->forward(Variable(x)).data()) <
        1e-5f);
}

TEST_CASE("onnx import: a ViT graph departing from a pattern is refused naming the node") {
  auto refused = [](const std::function<void(OnnxModel&)>& edit, const std::string& message) {
    OnnxModel m = torch_vit();
    edit(m);
    CHECK_THROWS_WITH_AS(import_onnx(m, "vit.onnx"), doctest::Contains(message.c_str()), OnnxError);
  };
  refused([](OnnxModel& m) { node_of_type(m, "Softmax").attributes = {onnx_int("axis", 2)}; },
          "attention needs a Softmax over the keys");
  refused([](OnnxModel& m) { node_of_type(m, "Sqrt").op_type = "Abs"; }, "a LayerNorm needs");
  refused([](OnnxModel& m) { node_of_type(m, "Erf").op_type = "Tanh"; }, "(Div): unsupported op");
  refused(
      [](OnnxModel& m) {
        for (OnnxTensor& t : m.initializers)
          if (t.floats.size() == 1 && std::abs(t.floats[0] - 0.353553f) < 1e-5f) t.floats[0] = 0.5f;
        for (OnnxNode& n : m.nodes)
          if (const OnnxAttribute* v = n.attribute("value");
              v && v->tensor.floats.size() == 1 && std::abs(v->tensor.floats[0] - 0.353553f) < 1e-5f)
            n.attributes[0].tensor.floats[0] = 0.5f;
      },
      "scaled by 1/sqrt(head width)");
}
