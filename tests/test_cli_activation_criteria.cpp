// End to end: the activation-based criteria (wanda, apoz) run from YAML through `poda run`,
// with the runner's calibration batches.
#include <doctest/doctest.h>

#include <filesystem>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

TEST_CASE("cli: wanda and apoz prune from YAML through poda run") {
  poda_test::TempDir tmp("poda_cli_activations");
  const fs::path config = tmp.path / "act.yaml";
  poda_test::write_text(config,
                        poda_test::tiny_config("act", 1,
                                               "  zip:\n"
                                               "    prune.criterion: [wanda, apoz]\n"
                                               "    prune.granularity: [unstructured, neuron]\n",
                                               "  data_batches: 2\n  scope: layer\n"));
  const fs::path results = tmp.path / "results";
  const poda_test::Finished run =
      poda_test::run_poda({"run", config.string(), "--results", results.string()}, tmp.path, "run");
  INFO("stderr:\n" << run.err);
  REQUIRE(run.code == 0);
  const poda::CsvTable runs = poda_test::read_csv(results / "act" / "runs.csv");
  CHECK(poda_test::column_values(runs, "status") == std::vector<std::string>{"ok", "ok"});
  CHECK(poda_test::column_values(runs, "criterion") == std::vector<std::string>{"wanda", "apoz"});
  const auto sparsity = poda_test::column_values(runs, "sparsity");
  const auto removed = poda_test::column_values(runs, "units_removed");
  // wanda: half of each layer's weights; apoz: half of fc1's 32 neurons (the classifier stays).
  CHECK(std::stod(sparsity[0]) == doctest::Approx(0.5).epsilon(0.01));
  CHECK(std::stod(removed[1]) > 0.0);
}
