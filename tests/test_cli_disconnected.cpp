// End to end: a run whose network is cut apart is recorded as `disconnected` with its
// reason, never `ok`; the default layer floor (min_units: 1) keeps the same point connected.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

TEST_CASE("cli: a network cut apart is recorded as disconnected, and the floor prevents it") {
  poda_test::TempDir tmp("poda_cli_disconnected");
  const fs::path config = tmp.path / "cut.yaml";
  // Layer-wise neuron pruning at 0.99 asks all 32 hidden units (round(0.99 * 32) = 32).
  poda_test::write_text(config, poda_test::tiny_config("cut", 1,
                                                       "  prune.granularity: [neuron]\n"
                                                       "  prune.sparsity: [0.99]\n"
                                                       "  prune.min_units: [0, 1]\n",
                                                       "  scope: layer\n"));
  const fs::path results = tmp.path / "results";
  const poda_test::Finished run =
      poda_test::run_poda({"run", config.string(), "--results", results.string()}, tmp.path, "run");
  INFO("stderr:\n" << run.err);
  CHECK(run.code == poda::kExitRunsFailed);  // a disconnected run is not ok
  const poda::CsvTable runs = poda_test::read_csv(results / "cut" / "runs.csv");
  CHECK(poda_test::column_values(runs, "status") == std::vector<std::string>{"disconnected", "ok"});
  const auto reason = poda_test::column_values(runs, "reason");
  CHECK(reason[0].rfind("layer '1' has no weight left (32 of 32 units removed)", 0) == 0);
  CHECK(poda_test::column_values(runs, "units_removed") ==
        std::vector<std::string>{"1.000000", "0.968750"});
  std::ifstream report(results / "cut" / "report.md");
  std::stringstream text;
  text << report.rdbuf();
  CHECK(text.str().find("| disconnected | layer '") != std::string::npos);
}
