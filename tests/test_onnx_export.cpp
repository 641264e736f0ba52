// `poda export --format onnx` checked by its consumers: the ONNX checker (python3-onnx) and
// OpenCV's DNN module (python3-opencv) run the exported file on real Fashion-MNIST test
// images and must give poda's outputs within 1e-4 (tests/onnx_check.py), for LeNet-300-100,
// LeNet-5 and a compacted filter-pruned conv net with BatchNorm. And the poda-sparse file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "cli_process.h"
#include "data/batch_loader.h"
#include "data/mnist.h"
#include "experiment/config/config.h"
#include "experiment/io/checkpoint.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/model_checkpoint.h"
#include "measure/compact.h"
#include "nn/layers/batch_norm.h"
#include "nn/model_builder.h"
#include "prune/pruner.h"
#include "skip.h"

using namespace poda;
namespace fs = std::filesystem;

namespace {

const char* kDataset =
    "name: onnx\nseed: 1\ndataset: {name: fashion-mnist, val_count: 500, test_limit: 64}\n";

const char* kStructured = R"(model:
  layers:
    - {type: conv2d, name: conv1, out: 8, kernel: 3, padding: 1}
    - {type: batchnorm, name: bn1}
    - {type: relu}
    - {type: maxpool2d, kernel: 2}
    - {type: conv2d, name: conv2, out: 16, kernel: 3, padding: 1}
    - {type: batchnorm, name: bn2}
    - {type: relu}
    - {type: global_avgpool}
    - {type: dense, name: fc, out: 10}
prune: {criterion: magnitude, granularity: filter, sparsity: 0.5, scope: layer}
)";

// BatchNorm statistics far from (0, 1), so that folding them is tested.
void perturb_batch_norms(Module& model) {
  Rng rng(9);
  for (auto& [name, m] : model.named_modules())
    if (auto* bn = dynamic_cast<BatchNorm*>(m)) {
      for (float& v : bn->running_mean()) v = 0.3f * rng.normal();
      for (float& v : bn->running_var()) v = 0.5f + rng.uniform();
      for (float& v : bn->weight().value.data()) v = 0.5f + rng.uniform();
      for (float& v : bn->bias().value.data()) v = 0.2f * rng.normal();
    }
}

void write_floats(const fs::path& path, const float* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * sizeof(float)));
}

struct Exported {
  fs::path dir;
  std::shared_ptr<Sequential> model;  // the pruned model, in evaluation mode
  LoadedData data;
};

// A run folder as `poda run` leaves it (config.yaml, final.ckpt) with a pruned model.
Exported pruned_run(const std::string& name, const std::string& model_yaml, double sparsity) {
  Exported e;
  e.dir = fs::temp_directory_path() / ("poda_onnx_" + name + std::to_string(::getpid()));
  fs::remove_all(e.dir);
  fs::create_directories(e.dir);
  const std::string config_text = std::string(kDataset) + model_yaml;
  poda_test::write_text(e.dir / "config.yaml", config_text);
  const ExperimentConfig c = parse_experiment_config(YAML::Load(config_text), "config.yaml");
  e.data = load_data(c.dataset, c.seed);
  Rng rng(c.seed);
  e.model = build_model(c.model.layers, e.data.input_shape, c.model.init, rng);
  perturb_batch_norms(*e.model);
  PruneSettings p = c.prune ? *c.prune : PruneSettings{};
  CriterionContext ctx;
  prune(*e.model, p, sparsity, ctx);
  save_checkpoint((e.dir / "final.ckpt").string(), model_to_checkpoint(*e.model));
  e.model->eval();
  return e;
}

// Runs `poda export` and tests/onnx_check.py on the first 64 test images.
void export_and_check(const Exported& e, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"export", (e.dir / "final.ckpt").string(),
                                (e.dir / "model.onnx").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto exported = poda_test::run_poda(args, e.dir, "export");
  INFO(exported.err);
  REQUIRE(exported.code == 0);

  const ImageSet& test = e.data.splits.test;
  Normalization raw;  // the file normalises itself: it takes pixels in [0, 1]
  raw.mean.assign(test.channels, 0.0f);
  raw.std.assign(test.channels, 1.0f);
  BatchLoader pixels(test, test.count, false, 0, raw),
      normalised(test, test.count, false, 0, e.data.norm);
  Batch x, xn;
  REQUIRE(pixels.next(x));
  REQUIRE(normalised.next(xn));
  const Array logits = e.model->forward(Variable(xn.images)).data();
  write_floats(e.dir / "input.f32", x.images.data(), x.images.size());
  write_floats(e.dir / "expected.f32", logits.data(), logits.size());
  const auto checked = poda_test::run_command(
      {poda_test::python(), poda_test::tests_dir() + "/onnx_check.py", (e.dir / "model.onnx").string(),
       (e.dir / "input.f32").string(), (e.dir / "expected.f32").string()},
      e.dir, "check");
  MESSAGE(checked.out);
  INFO(checked.err);
  CHECK(checked.code == 0);
}

bool have_fashion_mnist() {
  std::error_code ec;
  return fs::exists(default_fashion_mnist_dir(), ec);
}

}  // namespace

TEST_CASE("onnx export: LeNet-300-100, 90% unstructured, runs in OpenCV as in poda") {
  if (!have_fashion_mnist()) PODA_SKIP_TEST("Fashion-MNIST is not installed");
  const Exported e = pruned_run("mlp", "model: {zoo: lenet300_100}\n", 0.9);
  export_and_check(e, {});
  fs::remove_all(e.dir);
}

TEST_CASE("onnx export: LeNet-5, 80% unstructured, runs in OpenCV as in poda") {
  if (!have_fashion_mnist()) PODA_SKIP_TEST("Fashion-MNIST is not installed");
  const Exported e = pruned_run("lenet5", "model: {zoo: lenet5}\n", 0.8);
  export_and_check(e, {});
  fs::remove_all(e.dir);
}

TEST_CASE("onnx export: a filter-pruned conv net with BatchNorm, compacted, as in poda") {
  if (!have_fashion_mnist()) PODA_SKIP_TEST("Fashion-MNIST is not installed");
  const Exported e = pruned_run("structured", kStructured, 0.5);
  export_and_check(e, {"--compact"});
  // The compacted file is smaller than the dense export of the same model.
  const auto dense = poda_test::run_poda(
      {"export", (e.dir / "final.ckpt").string(), (e.dir / "dense.onnx").string()}, e.dir, "dense");
  REQUIRE(dense.code == 0);
  CHECK(fs::file_size(e.dir / "model.onnx") < fs::file_size(e.dir / "dense.onnx"));
  // poda-sparse writes its header (interop/sparse_export.h has the layout).
  const auto sparse =
      poda_test::run_poda({"export", (e.dir / "final.ckpt").string(),
                           (e.dir / "model.sparse").string(), "--format", "poda-sparse"},
                          e.dir, "sparse");
  REQUIRE(sparse.code == 0);
  CHECK(poda_test::read_text(e.dir / "model.sparse").substr(0, 8) == "PODASPRS");
  fs::remove_all(e.dir);
}

TEST_CASE("onnx export: a checkpoint without its run config is exit code 2, naming the config") {
  const fs::path dir = fs::temp_directory_path() / ("poda_onnx_bad" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // Neither its own layer list in its metadata nor a config.yaml beside it.
  poda::Checkpoint bare;
  bare.entries.push_back({"w", poda::zeros_array({2}), std::nullopt});
  poda::save_checkpoint((dir / "none.ckpt").string(), bare);
  const auto missing = poda_test::run_poda(
      {"export", (dir / "none.ckpt").string(), (dir / "x.onnx").string()}, dir, "missing");
  CHECK(missing.code == 2);
  CHECK(missing.err.find("config.yaml") != std::string::npos);
  fs::remove_all(dir);
}
