// End to end: the committed experiments/deep_compression.yaml, shortened (a small slice of
// Fashion-MNIST, one epoch per phase), runs prune -> quantize through `poda run`: k-means
// and int8 (post-training and quantization-aware) rows with their columns, quantized.ckpt
// per run, and the quantization table and plot in the report.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

std::string quick_deep_compression() {
  YAML::Node doc = YAML::LoadFile(
      (fs::path(poda_test::source_dir()) / "experiments" / "deep_compression.yaml").string());
  doc["name"] = "dc_quick";
  doc["dataset"]["val_count"] = 100;
  doc["dataset"]["train_limit"] = 600;
  doc["dataset"]["test_limit"] = 300;
  doc["train"]["epochs"] = 1;
  doc["prune"]["finetune_epochs"] = 1;
  doc["quantize"]["finetune_epochs"] = 1;
  doc["quantize"]["calibration"]["batches"] = 2;
  doc["measure"]["latency_batch_sizes"] = YAML::Load("[1, 8]");
  doc["measure"]["latency_seconds"] = 0.01;
  doc["measure"]["latency_warmup_seconds"] = 0.01;
  doc["measure"]["latency_min_calls"] = 5;
  YAML::Node sweep;
  sweep["zip"]["model.zoo"] =
      YAML::Load("[lenet300_100, lenet300_100, lenet300_100, lenet5_caffe]");
  sweep["zip"]["train.lr"] = YAML::Load("[0.05, 0.05, 0.05, 0.01]");
  sweep["zip"]["quantize.kind"] = YAML::Load("[kmeans, int8, int8, kmeans]");
  sweep["zip"]["quantize.mode"] =
      YAML::Load("[post_training, post_training, aware, post_training]");
  doc["sweep"] = sweep;
  YAML::Emitter out;
  out << doc;
  return out.c_str();
}

}  // namespace

TEST_CASE("cli: deep_compression.yaml, shortened, prunes then quantizes (k-means and int8)") {
  poda_test::TempDir tmp("poda_cli_quantize");
  const fs::path config = tmp.path / "dc_quick.yaml";
  poda_test::write_text(config, quick_deep_compression());
  const fs::path results = tmp.path / "results";
  const poda_test::Finished run =
      poda_test::run_poda({"run", config.string(), "--results", results.string()}, tmp.path, "run",
                          std::chrono::seconds(240));
  INFO("stderr:\n" << run.err);
  REQUIRE(run.code == 0);
  const poda::CsvTable runs = poda_test::read_csv(results / "dc_quick" / "runs.csv");
  REQUIRE(runs.rows.size() == 4);
  const auto kind = poda_test::column_values(runs, "quant_kind");
  const auto mode = poda_test::column_values(runs, "quant_mode");
  const auto bits = poda_test::column_values(runs, "bits");
  const auto acc = poda_test::column_values(runs, "acc");
  const auto acc_quant = poda_test::column_values(runs, "acc_quant");
  const auto before = poda_test::column_values(runs, "acc_quant_before_finetune");
  const auto ratio = poda_test::column_values(runs, "compression_ratio");
  const auto bytes = poda_test::column_values(runs, "bytes_quant");
  const auto int8_latency = poda_test::column_values(runs, "latency_b8_us_int8");
  for (std::size_t r = 0; r < runs.rows.size(); ++r) {
    CAPTURE(runs.rows[r][0]);
    // Quantizing keeps the pruned model's accuracy (one epoch on 600 images: LeNet-300-100
    // is well above chance, LeNet-5 barely starts).
    CHECK(std::abs(std::stod(acc_quant[r]) - std::stod(acc[r])) < 0.1);
    if (r < 3) CHECK(std::stod(acc_quant[r]) > 0.3);
    CHECK(std::stod(ratio[r]) > 10.0);  // 90% pruned, at most 8 bits a weight
    CHECK(std::stoll(bytes[r]) > 0);
    // Only a fine-tuned quantization (k-means, int8 aware) has a before.
    CHECK(before[r].empty() == (mode[r] == "post_training" && kind[r] == "int8"));
    if (kind[r] == "int8")
      CHECK(std::stod(int8_latency[r]) > 0.0);
    else
      CHECK(int8_latency[r].empty());
    const fs::path run_dir = results / "dc_quick" / "runs" / runs.rows[r][0];
    CHECK(fs::exists(run_dir / "quantized.ckpt"));
    // The int8 kernel table goes to the run's kernels.log, after the fp32 one.
    const std::string kernels = poda_test::read_text(run_dir / "kernels.log");
    CHECK((kernels.find("int8 kernels:\nbatch 1:") != std::string::npos) == (kind[r] == "int8"));
  }
  // On the terminal, one line per int8 run says where the table went; the table stays off it.
  CHECK(run.err.find("int8 kernels chosen per layer: see kernels.log") != std::string::npos);
  CHECK(run.err.find("batch 8:") == std::string::npos);
  CHECK(run.out.find("batch 8:") == std::string::npos);
  CHECK(kind == std::vector<std::string>{"kmeans", "int8", "int8", "kmeans"});
  CHECK(mode ==
        std::vector<std::string>{"post_training", "post_training", "aware", "post_training"});
  CHECK(bits == std::vector<std::string>{"8/5", "8", "8", "8/5"});
  // k-means at 5 bits stores less than int8 at 8 bits for the same pruned model.
  CHECK(std::stoll(bytes[0]) < std::stoll(bytes[1]));
  const std::string report = poda_test::read_text(results / "dc_quick" / "report.md");
  CHECK(report.find("## Quantization") != std::string::npos);
  CHECK(fs::exists(results / "dc_quick" / "plots" / "accuracy_vs_compressed_size.png"));
}
