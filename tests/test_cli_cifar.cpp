// End to end on CIFAR-10's binary format: it cannot be downloaded here, so the test writes
// the six files at their real size (10,000 records each) and runs a config on them, with the
// crop-and-flip augmentation, to a pruned result.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "cli_process.h"
#include "data_files.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using namespace poda::testing;

TEST_CASE("cli: a CIFAR-10 experiment runs from the binary files, augmented, to a pruned model") {
  poda_test::TempDir tmp("poda_cli_cifar");
  const fs::path data = tmp.path / "cifar-10-batches-bin";
  fs::create_directories(data);
  for (int f = 0; f < 6; ++f) {
    Bytes labels(10000);
    for (std::size_t i = 0; i < labels.size(); ++i)
      labels[i] = static_cast<std::uint8_t>((i * 7 + f) % 10);
    const std::string name =
        f < 5 ? "data_batch_" + std::to_string(f + 1) + ".bin" : "test_batch.bin";
    write_file((data / name).string(), cifar_records(labels));
  }
  const fs::path config = tmp.path / "cifar.yaml";
  poda_test::write_text(
      config,
      "name: cifar\n"
      "dataset: {name: cifar10, path: " +
          data.string() +
          ", val_count: 100,\n"
          "          train_limit: 400, test_limit: 200}\n"
          "model:\n"
          "  layers:\n"
          "    - {type: conv2d, name: conv1, out: 4, kernel: 3, padding: 1}\n"
          "    - {type: batchnorm}\n"
          "    - {type: relu}\n"
          "    - {type: global_avgpool}\n"
          "    - {type: dense, name: fc, out: 10}\n"
          "train: {epochs: 1, augment: {crop_padding: 4, horizontal_flip: true}}\n"
          "prune: {criterion: l1_norm, granularity: filter, sparsity: 0.5, scope: layer}\n");
  const fs::path results = tmp.path / "results";
  const poda_test::Finished run =
      poda_test::run_poda({"run", config.string(), "--results", results.string()}, tmp.path, "run");
  INFO("stderr:\n" << run.err);
  REQUIRE(run.code == 0);
  const poda::CsvTable runs = poda_test::read_csv(results / "cifar" / "runs.csv");
  REQUIRE(runs.rows.size() == 1);
  CHECK(poda_test::column_values(runs, "status")[0] == "ok");
  CHECK(poda_test::column_values(runs, "units_removed")[0] != "0.000000");  // filters went
}
