// vit_tiny exported to ONNX (opset 13: LayerNorm and GELU decomposed, attention as MatMul,
// Reshape, Transpose and Softmax) checked by its consumers: the ONNX checker (python3-onnx)
// accepts it and ONNX Runtime (npm onnxruntime-node, tests/ort_check.js; skipped without it)
// runs it and gives poda's outputs within 1e-4 (OpenCV 4.6's DNN cannot: its Concat does not
// take the batch-expanded class token); dense, and with half of its heads removed and
// compacted (attention layers of 2 heads, so q, k, v are 64 -> 32).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "cli_process.h"
#include "gradcheck.h"
#include "interop/onnx_export.h"
#include "measure/compact.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"
#include "skip.h"

using namespace poda;
namespace fs = std::filesystem;

namespace {

void write_floats(const fs::path& path, const Array& a) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(a.data()),
            static_cast<std::streamsize>(a.size() * sizeof(float)));
}

void export_and_check(Sequential& model, const std::string& name) {
  const Shape input{1, 28, 28};
  const fs::path dir =
      fs::temp_directory_path() / ("poda_onnx_vit_" + name + std::to_string(::getpid()));
  fs::create_directories(dir);
  Normalization raw;
  raw.mean = {0.0f};
  raw.std = {1.0f};
  poda_test::write_text(dir / "model.onnx", serialize_onnx(export_onnx(model, input, raw)));
  const Array x = poda::testing::random_array({16, 1, 28, 28}, 4, 0.0f, 1.0f);
  NoGradGuard no_grad;
  model.eval();
  write_floats(dir / "input.f32", x);
  write_floats(dir / "expected.f32", model.forward(Variable(x)).data());
  const auto checked =
      poda_test::run_command({poda_test::python(), poda_test::tests_dir() + "/onnx_check.py",
                              "--checker-only", (dir / "model.onnx").string()},
                             dir, "check");
  INFO(checked.err);
  CHECK(checked.code == 0);
  const std::string node = poda_test::find_on_path("node");
  if (node.empty()) PODA_SKIP_TEST("node is not installed (Debian: nodejs)");
  const char* home = std::getenv("HOME");
  const char* modules = std::getenv("ORT_NODE_PATH");
  const std::string node_path =
      modules ? modules : std::string(home ? home : "") + "/.cache/poda-ort/node_modules";
  const auto ran = poda_test::run_command(
      {"env", "NODE_PATH=" + node_path, node, poda_test::tests_dir() + "/ort_check.js",
       (dir / "model.onnx").string(), (dir / "input.f32").string(), "16,1,28,28",
       (dir / "expected.f32").string(), "1e-4"},
      dir, "ort");
  MESSAGE(ran.out);
  if (ran.code == 77) PODA_SKIP_TEST("onnxruntime-node is not installed: " + ran.out);
  CHECK(ran.code == 0);
  fs::remove_all(dir);
}

std::shared_ptr<Sequential> vit_tiny() {
  Rng rng(2);
  return build_model(find_zoo_model("vit_tiny")->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
}

}  // namespace

TEST_CASE("onnx export: vit_tiny runs in ONNX Runtime as in poda") {
  auto model = vit_tiny();
  export_and_check(*model, "dense");
}

TEST_CASE("onnx export: vit_tiny with half of its heads removed and compacted, as in poda") {
  auto model = vit_tiny();
  PruneSettings s;
  s.granularity.kind = Granularity::head;
  s.scope = Scope::layer;
  s.sparsity = 0.5;
  CriterionContext ctx;
  prune(*model, s, 0.5, ctx);
  const CompactResult c = compact_model(*model, {1, 28, 28});
  REQUIRE_MESSAGE(c.model, c.reason);
  export_and_check(*c.model, "heads");
}
