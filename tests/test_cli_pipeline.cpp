// End to end: every criterion, granularity, scope and schedule runs through `poda run` on a
// small CNN with BatchNorm (issues 3-5 together), and each run reaches its target.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {
// One zipped point per combination worth covering; the four lists line up.
const char* kConfig = R"(name: all
seed: 3
dataset: {name: fashion-mnist, val_count: 200, train_limit: 1000, test_limit: 500}
model:
  layers:
    - {type: conv2d, name: conv1, out: 4, kernel: 3, padding: 1}
    - {type: batchnorm, name: bn1}
    - {type: relu}
    - {type: maxpool2d, kernel: 2}
    - {type: conv2d, name: conv2, out: 8, kernel: 3}
    - {type: relu}
    - {type: flatten}
    - {type: dense, name: fc1, out: 32}
    - {type: relu}
    - {type: dense, name: fc2, out: 10}
train: {epochs: 1, lr: 0.05, momentum: 0.9}
measure: {latency: true, latency_batch_sizes: [1, 8], latency_seconds: 0.01, latency_warmup_seconds: 0.01, latency_min_calls: 5}
prune:
  criterion: magnitude
  sparsity: 0.5
  finetune_epochs: 1
  data_batches: 2
  schedule: {kind: one_shot, rounds: 2, train_epochs: 1, prune_steps: 3, step_interval: 5, rewind_step: 3}
sweep:
  zip:
    prune.criterion: [magnitude, random, taylor, snip, movement, lamp, l1_norm, l2_norm, bn_scale,
                      magnitude, magnitude, magnitude, magnitude, magnitude, snip, magnitude]
    prune.granularity: [unstructured, neuron, filter, unstructured, unstructured, unstructured,
                        filter, channel, filter, n_m, block, unstructured, unstructured,
                        unstructured, unstructured, neuron]
    prune.schedule.kind: [one_shot, iterative, one_shot, one_shot, iterative, one_shot, iterative,
                          one_shot, one_shot, one_shot, one_shot, gradual, lottery, lottery,
                          at_init, iterative]
    prune.scope: [global, global, layer, global, global, layer, global, layer, global, layer,
                  global, global, global, layer, global, layer]
)";
}  // namespace

TEST_CASE("cli: every criterion, granularity, scope and schedule runs end to end") {
  poda_test::TempDir tmp("poda_cli_pipeline");
  const fs::path config = tmp.path / "all.yaml";
  poda_test::write_text(config, kConfig);
  const fs::path results = tmp.path / "results";
  const poda_test::Finished run = poda_test::run_poda(
      {"run", config.string(), "--results", results.string(), "--jobs", "2"}, tmp.path, "run");
  INFO("stderr:\n" << run.err);
  REQUIRE(run.code == 0);
  const poda::CsvTable runs = poda_test::read_csv(results / "all" / "runs.csv");
  REQUIRE(runs.rows.size() == 16);
  const auto status = poda_test::column_values(runs, "status");
  const auto granularity = poda_test::column_values(runs, "granularity");
  const auto sparsity = poda_test::column_values(runs, "sparsity");
  const auto macs = poda_test::column_values(runs, "macs");
  const auto effective = poda_test::column_values(runs, "effective_macs");
  const auto latency = poda_test::column_values(runs, "latency_b8_us_dense");
  const auto sparse_latency = poda_test::column_values(runs, "latency_b8_us_sparse");
  const auto compact_latency = poda_test::column_values(runs, "latency_b1_us_compact");
  const auto bytes_dense = poda_test::column_values(runs, "bytes_dense");
  const auto bytes_compact = poda_test::column_values(runs, "bytes_compact");
  const auto params = poda_test::column_values(runs, "params");
  const auto compact_params = poda_test::column_values(runs, "compact_params");
  const auto schedule = poda_test::column_values(runs, "schedule");
  const auto finetune = poda_test::column_values(runs, "finetune_seconds");
  const auto phases = poda_test::column_values(runs, "finetune_phase_seconds");
  const auto train_seconds = poda_test::column_values(runs, "train_seconds");
  for (std::size_t r = 0; r < runs.rows.size(); ++r) {
    CAPTURE(runs.rows[r][0]);
    CHECK(status[r] == "ok");
    // Unstructured targets are met exactly (k = floor(s n + 0.5) of the scope's weights).
    if (granularity[r] == "unstructured") CHECK(std::stod(sparsity[r]) == doctest::Approx(0.5));
    // Pruning always shows in the cost: fewer effective than dense MACs.
    CHECK(std::stoll(effective[r]) < std::stoll(macs[r]));
    CHECK(std::stod(latency[r]) > 0.0);  // measured, per forward pass of a batch of 8
    CHECK(std::stod(sparse_latency[r]) > 0.0);
    CHECK(std::stod(compact_latency[r]) > 0.0);
    CHECK(std::stoll(bytes_compact[r]) <= std::stoll(bytes_dense[r]));
    CHECK(std::stoll(compact_params[r]) <= std::stoll(params[r]));
    if (granularity[r] == "filter") CHECK(std::stoll(compact_params[r]) < std::stoll(params[r]));
    // Each fine-tuning phase is timed (iterative: one per round), and they add up.
    std::istringstream each(phases[r]);
    double sum = 0.0;
    int count = 0;
    for (double s; each >> s; ++count) sum += s;
    CHECK(count >= 1);
    if (schedule[r] == "iterative") CHECK(count == 2);
    CHECK(std::abs(sum - std::stod(finetune[r])) <= 0.05 * count + 0.05);
    CHECK(std::stod(finetune[r]) <= std::stod(train_seconds[r]) + 0.05);
    CHECK(fs::exists(results / "all" / "runs" / runs.rows[r][0] / "layer_sparsity.csv"));
    CHECK(fs::exists(results / "all" / "runs" / runs.rows[r][0] / "final.ckpt"));
    const std::string run_config =
        poda_test::read_text(results / "all" / "runs" / runs.rows[r][0] / "config.yaml");
    CHECK(run_config.find("granularity: " + granularity[r]) != std::string::npos);
  }
  CHECK(fs::exists(results / "all" / "report.md"));
  CHECK(fs::exists(results / "all" / "plots" / "latency_b8_vs_sparsity.png"));
}
