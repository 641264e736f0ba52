// A trained model as the start of an experiment: `model: {checkpoint | onnx: PATH}` evaluates the
// given weights in the dense phase (or trains them further), bad files are refused before
// anything runs, shared pretraining is keyed on the file's bytes; `poda bench` and
// `poda export` read a self-describing checkpoint alone; `poda prune` gives the weights of
// `poda run` with the same settings.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "cli_process.h"
#include "core/random.h"
#include "experiment/config/config.h"
#include "experiment/io/checkpoint.h"
#include "experiment/runner/model_checkpoint.h"
#include "experiment/runner/pipeline.h"
#include "interop/onnx_import.h"
#include "nn/model_builder.h"
#include "small_dataset.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using poda_test::run_poda;

namespace {

// The only run folder of an experiment without a sweep.
fs::path only_run(const fs::path& experiment) {
  for (const auto& entry : fs::directory_iterator(experiment / "runs")) return entry.path();
  return {};
}

std::string cell(const fs::path& experiment, const std::string& column) {
  return poda_test::column_values(poda_test::read_csv(experiment / "runs.csv"), column).at(0);
}

// A small MNIST-format dataset, a model trained on it by `poda run` and its final.ckpt.
struct Trained {
  poda_test::TempDir tmp{"poda_model_file"};
  fs::path data = tmp.path / "data";
  fs::path ckpt;
  Trained() {
    poda_test::write_small_mnist(data, 200, 50);
    poda_test::write_text(tmp.path / "small.yaml", poda_test::small_mnist_config(data));
    const auto run = run_poda({"run", at("small.yaml"), "--results", at("r")}, tmp.path, "train");
    REQUIRE_MESSAGE(run.code == 0, run.err);
    ckpt = only_run(tmp.path / "r" / "small") / "final.ckpt";
  }
  std::string at(const std::string& file) const { return (tmp.path / file).string(); }
  // An experiment on the same data starting from `model`.
  std::string config(const std::string& name, const std::string& model,
                     const std::string& rest = "") const {
    return "name: " + name + "\nseed: 1\ndataset: {name: mnist, path: " + data.string() +
           ", val_count: 10}\nmodel: " + model + "\n" + rest;
  }
  poda_test::Finished run(const std::string& name, const std::string& text) {
    poda_test::write_text(tmp.path / (name + ".yaml"), text);
    return run_poda({"run", at(name + ".yaml"), "--results", at("r")}, tmp.path, name);
  }
};

}  // namespace

TEST_CASE("cli: model: {checkpoint} evaluates the given weights, or trains them further") {
  Trained t;
  const fs::path source = t.tmp.path / "r" / "small";
  const std::string model = "{checkpoint: " + t.ckpt.string() + "}";
  auto dense = t.run("dense", t.config("dense", model));
  REQUIRE_MESSAGE(dense.code == 0, dense.err);
  const fs::path d = t.tmp.path / "r" / "dense";
  // The same weights, data and normalisation: the same accuracies as where they came from.
  CHECK(cell(d, "acc_dense") == cell(source, "acc"));
  CHECK(cell(d, "acc") == cell(source, "acc"));
  CHECK(cell(d, "val_acc") == cell(source, "val_acc"));
  CHECK(cell(d, "best_epoch") == "0");

  auto pruned = t.run("pruned", t.config("pruned", model,
                                         "prune: {sparsity: 0.5, finetune_epochs: 0}\n"));
  REQUIRE_MESSAGE(pruned.code == 0, pruned.err);
  CHECK(cell(t.tmp.path / "r" / "pruned", "acc_dense") == cell(source, "acc"));
  const poda::Checkpoint dense_ckpt = poda::load_checkpoint(
      (*fs::directory_iterator(t.tmp.path / "r" / "pruned" / "pretrain")).path() / "dense.ckpt");
  CHECK(std::stod(dense_ckpt.metadata.at("val_acc")) ==
        doctest::Approx(std::stod(cell(source, "val_acc"))).epsilon(1e-6));
  CHECK(dense_ckpt.metadata.at("best_epoch") == "0");

  auto further = t.run("further", t.config("further", model, "train: {epochs: 1, lr: 0.05}\n"));
  REQUIRE_MESSAGE(further.code == 0, further.err);
  CHECK(cell(t.tmp.path / "r" / "further", "best_epoch") == "1");
}

TEST_CASE("cli: a model file that cannot be used is refused before anything runs") {
  Trained t;
  SUBCASE("missing file") {
    auto r = t.run("missing", t.config("missing", "{checkpoint: " + t.at("nowhere.ckpt") + "}"));
    CHECK(r.code == 2);
    CHECK(r.err.find("missing.yaml:4:") != std::string::npos);
    CHECK(r.err.find("nowhere.ckpt") != std::string::npos);
  }
  SUBCASE("a checkpoint without its layer list") {
    poda::Checkpoint bare;
    bare.entries.push_back({"w", poda::zeros_array({2}), std::nullopt});
    poda::save_checkpoint((t.tmp.path / "bare.ckpt").string(), bare);
    auto r = t.run("bare", t.config("bare", "{checkpoint: " + t.at("bare.ckpt") + "}"));
    CHECK(r.code == 2);
    CHECK(r.err.find("no metadata 'model.layers'") != std::string::npos);
  }
  SUBCASE("samples of another shape") {
    auto r = t.run("shape", "dataset: {name: cifar10}\nmodel: {checkpoint: " + t.ckpt.string() +
                                "}\n");
    CHECK(r.code == 2);
    CHECK(r.err.find("shape.yaml:2:8") != std::string::npos);
    CHECK(r.err.find("takes samples of shape (1, 28, 28)") != std::string::npos);
  }
  SUBCASE("another number of classes") {
    std::vector<poda::LayerSpec> layers(2);
    layers[0].type = "flatten";
    layers[1].type = "dense";
    layers[1].numbers = {{"out", 5.0}};
    poda::Rng rng(1);
    auto model = poda::build_model(layers, {1, 28, 28}, poda::Init::kaiming_uniform, rng);
    poda::Checkpoint c = poda::model_to_checkpoint(*model);
    poda::describe_model(c, {layers, {1, 28, 28}, poda::identity_normalization(1)});
    poda::save_checkpoint((t.tmp.path / "five.ckpt").string(), c);
    auto r = t.run("five", t.config("five", "{checkpoint: " + t.at("five.ckpt") + "}"));
    CHECK(r.code == 2);
    CHECK(r.err.find("the model's output is (5)") != std::string::npos);
  }
  SUBCASE("epochs 0 needs a trained model") {
    std::string text = poda_test::small_mnist_config(t.data);
    text.replace(text.find("epochs: 1"), 9, "epochs: 0");
    auto r = t.run("zero", text);
    CHECK(r.code == 2);
  }
}

TEST_CASE("model files: the shared pretraining is keyed on the file's bytes, not its path") {
  Trained t;
  fs::copy_file(t.ckpt, t.tmp.path / "copy.ckpt");
  poda::Checkpoint other = poda::load_checkpoint(t.ckpt.string());
  other.entries.front().value.data()[0] += 1.0f;
  poda::save_checkpoint((t.tmp.path / "other.ckpt").string(), other);
  auto key = [&](const std::string& path) {
    const YAML::Node doc = YAML::Load(t.config("k", "{checkpoint: " + path + "}",
                                               "prune: {sparsity: 0.5}\n"));
    return poda::pretrain_key(poda::parse_experiment_config(doc, "k.yaml"), doc);
  };
  const std::string original = key(t.ckpt.string());
  CHECK(!original.empty());
  CHECK(key((t.tmp.path / "copy.ckpt").string()) == original);
  CHECK(key((t.tmp.path / "other.ckpt").string()) != original);
}

TEST_CASE("cli: poda bench and poda export read a self-describing checkpoint alone") {
  Trained t;
  // Away from its run folder: no config.yaml beside it.
  const fs::path alone = t.tmp.path / "alone.ckpt";
  fs::copy_file(t.ckpt, alone);
  auto exported = run_poda({"export", alone.string(), t.at("alone.onnx")}, t.tmp.path, "export");
  REQUIRE_MESSAGE(exported.code == 0, exported.err);
  auto bench = run_poda({"bench", alone.string(), "--batch", "1", "--seconds", "0.01"}, t.tmp.path,
                        "bench");
  CHECK_MESSAGE(bench.code == 0, bench.err);
  // poda import's checkpoint: the same, and its normalisation is the run's.
  auto imported =
      run_poda({"import", t.at("alone.onnx"), t.at("imported.ckpt")}, t.tmp.path, "import");
  REQUIRE_MESSAGE(imported.code == 0, imported.err);
  auto again = run_poda({"export", t.at("imported.ckpt"), t.at("again.onnx")}, t.tmp.path, "again");
  CHECK_MESSAGE(again.code == 0, again.err);
  auto bench2 = run_poda({"bench", t.at("imported.ckpt"), "--batch", "1", "--seconds", "0.01"},
                         t.tmp.path, "bench2");
  CHECK_MESSAGE(bench2.code == 0, bench2.err);
  const poda::Checkpoint a = poda::load_checkpoint(alone.string());
  const poda::Checkpoint b = poda::load_checkpoint((t.tmp.path / "imported.ckpt").string());
  CHECK(a.metadata.at("normalization_mean") == b.metadata.at("normalization_mean"));
  CHECK(a.metadata.at("normalization_std") == b.metadata.at("normalization_std"));
  auto nothing = run_poda({"bench"}, t.tmp.path, "nothing");
  CHECK(nothing.code == 2);
}

TEST_CASE("cli: poda prune gives the weights of poda run with the same settings") {
  Trained t;
  auto pruned = run_poda({"prune", t.ckpt.string(), "--dataset", "mnist", "--dataset-path",
                          t.data.string(), "--sparsity", "0.6", "--criterion", "l1_norm",
                          "--granularity", "neuron", "--finetune-epochs", "1", "--lr", "0.05",
                          "-o", t.at("pruned.ckpt"), "--results", t.at("p")},
                         t.tmp.path, "prune");
  REQUIRE_MESSAGE(pruned.code == 0, pruned.err);
  CHECK(pruned.out.find("test accuracy") != std::string::npos);
  CHECK(pruned.out.find("latency, batch 1") != std::string::npos);
  auto by_hand = t.run(
      "byhand", "name: byhand\ndataset: {name: mnist, path: " + t.data.string() +
                    "}\nmodel: {checkpoint: " + t.ckpt.string() +
                    "}\ntrain: {lr: 0.05}\nprune: {criterion: l1_norm, granularity: neuron, "
                    "sparsity: 0.6, finetune_epochs: 1, finetune_lr_scale: 1}\n");
  REQUIRE_MESSAGE(by_hand.code == 0, by_hand.err);
  const poda::Checkpoint a = poda::load_checkpoint((t.tmp.path / "pruned.ckpt").string());
  const poda::Checkpoint b =
      poda::load_checkpoint((only_run(t.tmp.path / "r" / "byhand") / "final.ckpt").string());
  REQUIRE(a.entries.size() == b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    CAPTURE(a.entries[i].name);
    CHECK(a.entries[i].name == b.entries[i].name);
    CHECK(a.entries[i].value == b.entries[i].value);
    CHECK(a.entries[i].mask.has_value() == b.entries[i].mask.has_value());
  }
  // A compacted model is only written as ONNX.
  auto compact_ckpt = run_poda({"prune", t.ckpt.string(), "--dataset", "mnist", "--sparsity",
                                "0.5", "--compact", "-o", t.at("x.ckpt")},
                               t.tmp.path, "compact_ckpt");
  CHECK(compact_ckpt.code == 2);
}
