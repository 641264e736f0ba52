// End to end: a diverging run is recorded failed while the sweep goes on; `poda report`
// rebuilds report.md and plots/ from the files alone and merges shards.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

TEST_CASE(
    "cli: a run whose loss becomes NaN is marked failed with the reason and the sweep goes on") {
  poda_test::TempDir tmp("poda_cli_nan");
  const fs::path config = tmp.path / "nan.yaml";
  // A fine-tuning learning rate 10^5 times the training one blows the loss up within an epoch.
  poda_test::write_text(config, poda_test::tiny_config("tiny", 1,
                                                       "  prune.finetune_lr_scale: [0.1, 100000]\n"
                                                       "  prune.sparsity: [0.5, 0.8]\n"));
  const fs::path results = tmp.path / "results";
  const poda_test::Finished run =
      poda_test::run_poda({"run", config.string(), "--results", results.string()}, tmp.path, "run");
  INFO("stderr:\n" << run.err);
  CHECK(run.code == 1);  // the sweep went on, but not every run is ok (README "Exit codes")
  const poda::CsvTable runs = poda_test::read_csv(results / "tiny" / "runs.csv");
  REQUIRE(runs.rows.size() == 4);
  const std::size_t status = poda::require_column(runs, "status", "runs.csv");
  const std::size_t reason = poda::require_column(runs, "reason", "runs.csv");
  const std::size_t scale = poda::require_column(runs, "swept.prune.finetune_lr_scale", "runs.csv");
  for (const auto& row : runs.rows) {
    CAPTURE(row[0]);
    if (row[scale] == "0.1") {
      CHECK(row[status] == "ok");
      CHECK(row[reason].empty());
    } else {
      CHECK(row[status] == "failed");
      CHECK(row[reason].find("loss") != std::string::npos);
      CHECK(row[reason].find("nan") != std::string::npos);
    }
  }
  CHECK(run.err.find("2 ok, 2 failed") != std::string::npos);
  CHECK(run.err.find("poda: 2 of 4 runs not ok: finetune_lr_scale=100000_sparsity=0.5 (failed: ") !=
        std::string::npos);
  CHECK(fs::exists(results / "tiny" / "report.md"));
}

TEST_CASE("cli: poda report regenerates report.md and plots from the files alone") {
  poda_test::TempDir tmp("poda_cli_report");
  const fs::path config = tmp.path / "tiny.yaml";
  poda_test::write_text(config, poda_test::tiny_config());
  const fs::path results = tmp.path / "results", dir = results / "tiny";
  REQUIRE(
      poda_test::run_poda({"run", config.string(), "--results", results.string()}, tmp.path, "run")
          .code == 0);
  const std::string runs_csv = poda_test::read_text(dir / "runs.csv");
  const std::string report_md = poda_test::read_text(dir / "report.md");
  REQUIRE(!report_md.empty());

  fs::remove(dir / "report.md");
  fs::remove_all(dir / "plots");
  fs::remove(dir / "runs.csv");
  const poda_test::Finished report =
      poda_test::run_poda({"report", dir.string()}, tmp.path, "report");
  INFO("stdout:\n" << report.out << "\nstderr:\n" << report.err);
  CHECK(report.code == 0);
  CHECK(report.out.find("4 runs") != std::string::npos);
  CHECK(poda_test::read_text(dir / "runs.csv") == runs_csv);
  CHECK(poda_test::read_text(dir / "report.md") == report_md);
  for (const char* plot :
       {"accuracy_vs_sparsity", "accuracy_vs_effective_macs", "layer_sparsity"}) {
    CAPTURE(plot);
    CHECK(fs::file_size(dir / "plots" / (std::string(plot) + ".svg")) > 0);
    CHECK(fs::file_size(dir / "plots" / (std::string(plot) + ".png")) > 0);
  }
}

TEST_CASE("cli: shards 0/2 and 1/2 into one folder, merged by poda report, give every row") {
  poda_test::TempDir tmp("poda_cli_shards");
  const fs::path config = tmp.path / "tiny.yaml";
  poda_test::write_text(config, poda_test::tiny_config());
  const fs::path results = tmp.path / "results", dir = results / "tiny";
  std::size_t rows_per_shard = 0;
  for (const char* shard : {"0/2", "1/2"}) {
    CAPTURE(shard);
    const poda_test::Finished run = poda_test::run_poda(
        {"run", config.string(), "--results", results.string(), "--shard", shard}, tmp.path,
        "shard");
    INFO("stderr:\n" << run.err);
    REQUIRE(run.code == 0);
    CHECK(run.err.find("2 runs in this slice") != std::string::npos);
    rows_per_shard += 2;
  }
  const poda_test::Finished report =
      poda_test::run_poda({"report", dir.string()}, tmp.path, "report");
  INFO("stdout:\n" << report.out << "\nstderr:\n" << report.err);
  REQUIRE(report.code == 0);
  const poda::CsvTable merged = poda_test::read_csv(dir / "runs.csv");
  CHECK(merged.rows.size() == rows_per_shard);
  CHECK(poda_test::column_values(merged, "run_id") ==
        std::vector<std::string>{"sparsity=0.5_kind=one_shot", "sparsity=0.5_kind=iterative",
                                 "sparsity=0.8_kind=one_shot", "sparsity=0.8_kind=iterative"});
  for (const std::string& status : poda_test::column_values(merged, "status"))
    CHECK(status == "ok");
  CHECK(fs::exists(dir / "report.md"));

  // Same rows (timings aside) as one unsharded process.
  const fs::path single = tmp.path / "single";
  REQUIRE(poda_test::run_poda({"run", config.string(), "--results", single.string()}, tmp.path,
                              "single")
              .code == 0);
  const std::vector<std::string> timings = poda_test::timing_columns();
  CHECK(
      poda_test::without_columns(merged, timings).rows ==
      poda_test::without_columns(poda_test::read_csv(single / "tiny" / "runs.csv"), timings).rows);
}

TEST_CASE("cli: finished runs whose config was edited since are run again") {
  poda_test::TempDir tmp("poda_cli_changed");
  const fs::path config = tmp.path / "tiny.yaml";
  poda_test::write_text(config, poda_test::tiny_config("tiny", 1));
  const fs::path results = tmp.path / "results", dir = results / "tiny";
  const std::vector<std::string> args = {"run", config.string(), "--results", results.string()};
  REQUIRE(poda_test::run_poda(args, tmp.path, "first").code == 0);
  const std::string id = "sparsity=0.5_kind=one_shot";
  // Same run ids, but every run now fine-tunes for 2 epochs: none of the results holds.
  poda_test::write_text(config, poda_test::tiny_config("tiny", 2));
  const poda_test::Finished second = poda_test::run_poda(args, tmp.path, "second");
  INFO("stderr:\n" << second.err);
  REQUIRE(second.code == 0);
  CHECK(second.err.find("run " + id + ": its config changed since it finished") !=
        std::string::npos);
  CHECK(second.err.find("0 already done, 4 ok") != std::string::npos);
  CHECK(poda_test::read_text(dir / "runs" / id / "config.yaml").find("finetune_epochs: 2") !=
        std::string::npos);
  // Unchanged since: nothing to redo.
  const poda_test::Finished third = poda_test::run_poda(args, tmp.path, "third");
  CHECK(third.err.find("its config changed") == std::string::npos);
  CHECK(third.err.find("4 already done") != std::string::npos);
}
