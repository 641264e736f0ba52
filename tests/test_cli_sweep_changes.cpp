// Runs of a results folder that the current sweep no longer lists (the experiment was run
// again under the same name with a changed sweep) are kept on disk and never hidden without a
// word: `poda run` and `poda report` say how many, `poda report --all` includes them.
#include <doctest/doctest.h>

#include "cli/commands.h"
#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

TEST_CASE("sweep changes: runs outside the current sweep are counted, and --all reports them") {
  poda_test::TempDir tmp("poda_cli_sweep_changes");
  const fs::path config = tmp.path / "tiny.yaml", dir = tmp.path / "results" / "tiny";
  const std::vector<std::string> run = {"run", config.string(), "--results",
                                        (tmp.path / "results").string()};
  poda_test::write_text(config,
                        poda_test::tiny_config("tiny", 1, "  prune.sparsity: [0.5, 0.8]\n"));
  REQUIRE(poda_test::run_poda(run, tmp.path, "first").code == poda::kExitOk);
  REQUIRE(poda_test::read_csv(dir / "runs.csv").rows.size() == 2);

  poda_test::write_text(config, poda_test::tiny_config("tiny", 1, "  prune.sparsity: [0.5]\n"));
  const poda_test::Finished second = poda_test::run_poda(run, tmp.path, "second");
  INFO("second stderr:\n" << second.err);
  CHECK(second.code == poda::kExitOk);
  CHECK(second.err.find("1 finished run in " + dir.string() +
                        "/runs is not in this sweep; kept out of its runs.csv") !=
        std::string::npos);
  CHECK(poda_test::read_csv(dir / "runs.csv").rows.size() == 1);
  CHECK(fs::exists(dir / "runs" / "sparsity=0.8" / "result.csv"));

  const poda_test::Finished report = poda_test::run_poda({"report", dir.string()}, tmp.path, "r");
  CHECK(report.code == poda::kExitOk);
  CHECK(report.err.find("--all includes them") != std::string::npos);
  CHECK(poda_test::read_csv(dir / "runs.csv").rows.size() == 1);

  const poda_test::Finished all =
      poda_test::run_poda({"report", dir.string(), "--all"}, tmp.path, "all");
  INFO("report --all stderr:\n" << all.err);
  CHECK(all.code == poda::kExitOk);
  const poda::CsvTable rows = poda_test::read_csv(dir / "runs.csv");
  REQUIRE(rows.rows.size() == 2);
  CHECK(rows.rows[1][0] == "sparsity=0.8");  // after the sweep's own runs
}
