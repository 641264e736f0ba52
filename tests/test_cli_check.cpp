// End to end: a config error anywhere in a sweep stops `poda run` before any run starts,
// naming file:line:col; `poda check` lists the expanded runs.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

struct BadConfig {
  const char* what;
  std::string text;
  std::string location;  // where the error must point
  std::string message;   // part of what it must say
};

// The tiny config: line 8 is the first dense layer, line 19 the first sweep key.
std::vector<BadConfig> bad_configs() {
  const std::string base = poda_test::tiny_config();
  return {
      {"a swept sparsity out of range",
       replaced(base, "prune.sparsity: [0.5, 0.8]", "prune.sparsity: [0.5, 1.5]"),
       ":19:25: ", "1.5"},
      {"a misspelt swept granularity",
       replaced(base, "prune.sparsity: [0.5, 0.8]", "prune.granularity: [unstructured, nueron]"),
       ":19:37: ", "nueron"},
      {"a typo key in a nested layer",
       replaced(base, "{type: dense, out: 32}", "{type: dense, out: 32, int: he}"),
       ":8:30: ", "'int'"},
      {"a swept layer width that is not a number",
       replaced(base, "prune.sparsity: [0.5, 0.8]",
                "model.layers: [[{type: flatten}, {type: dense, out: many}]]"),
       ":19:55: ", "many"},
  };
}

}  // namespace

TEST_CASE("cli: an error deep in a sweep fails poda run before any run starts") {
  poda_test::TempDir tmp("poda_cli_check");
  for (const BadConfig& c : bad_configs()) {
    CAPTURE(c.what);
    const fs::path config = tmp.path / "bad.yaml";
    poda_test::write_text(config, c.text);
    const fs::path results = tmp.path / "results";
    const poda_test::Finished run = poda_test::run_poda(
        {"run", config.string(), "--results", results.string()}, tmp.path, "run");
    INFO("stderr:\n" << run.err);
    CHECK(run.code != 0);
    CHECK(run.err.find(config.string() + ":") != std::string::npos);
    CHECK(run.err.find(c.message) != std::string::npos);
    CHECK(run.err.find("start") == std::string::npos);
    CHECK_FALSE(fs::exists(results / "tiny" / "runs"));
    CHECK_FALSE(fs::exists(results / "tiny" / "runs.csv"));
    CHECK_FALSE(fs::exists(results / "tiny" / "pretrain"));

    const poda_test::Finished check =
        poda_test::run_poda({"check", config.string()}, tmp.path, "check");
    CHECK(check.code != 0);
    CHECK(check.err.find(c.message) != std::string::npos);
  }
}

// Every expanded point is its own parse of the file, so errors keep their positions.
TEST_CASE("cli: an error deep in a sweep names its own line and column") {
  poda_test::TempDir tmp("poda_cli_check");
  for (const BadConfig& c : bad_configs()) {
    CAPTURE(c.what);
    const fs::path config = tmp.path / "bad.yaml";
    poda_test::write_text(config, c.text);
    const poda_test::Finished check =
        poda_test::run_poda({"check", config.string()}, tmp.path, "check");
    INFO("stderr:\n" << check.err);
    CHECK(check.err.find(config.string() + c.location) != std::string::npos);
  }
}

TEST_CASE("cli: poda check prints the expanded runs and their count") {
  poda_test::TempDir tmp("poda_cli_check");
  const fs::path config = tmp.path / "tiny.yaml";
  poda_test::write_text(config, poda_test::tiny_config());
  const poda_test::Finished check =
      poda_test::run_poda({"check", config.string()}, tmp.path, "check");
  INFO("stdout:\n" << check.out << "\nstderr:\n" << check.err);
  CHECK(check.code == 0);
  CHECK(check.out.find("4 runs") != std::string::npos);
  for (const char* id : {"sparsity=0.5_kind=one_shot", "sparsity=0.5_kind=iterative",
                         "sparsity=0.8_kind=one_shot", "sparsity=0.8_kind=iterative"}) {
    CAPTURE(id);
    CHECK(check.out.find("  " + std::string(id) + "\n") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(tmp.path / "tiny"));  // check writes nothing
  CHECK_FALSE(fs::exists(tmp.path / "results"));
}
