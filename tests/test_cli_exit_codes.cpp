// Exit codes (README "Exit codes"): 0 only when every planned run is ok; 1 when the
// sweep ran and some runs failed, with a one-line summary of them and their reasons; 2 for a
// bad config, command line or input path; 3 for an internal error.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <unistd.h>

#include "cli/commands.h"
#include "cli_process.h"
#include "skip.h"
#include "small_dataset.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using poda_test::Finished;
using poda_test::run_poda;

namespace {

// Two runs on the dataset in `data_dir`; `sparsities` is the swept list.
std::string small_config(const fs::path& data_dir, const std::string& sparsities = "[0.5, 0.8]") {
  return poda_test::small_mnist_config(data_dir) +
         "prune: {criterion: magnitude, sparsity: 0.5}\n"
         "sweep:\n  prune.sparsity: " +
         sparsities + "\n";
}

}  // namespace

TEST_CASE("exit codes: 0 when every run is ok, also when all were done before") {
  poda_test::TempDir tmp("poda_exit_codes");
  poda_test::write_small_mnist(tmp.path / "data");
  poda_test::write_text(tmp.path / "small.yaml", small_config(tmp.path / "data"));
  const std::string results = (tmp.path / "results").string();
  const Finished first =
      run_poda({"run", (tmp.path / "small.yaml").string(), "--results", results}, tmp.path, "a");
  INFO("stderr:\n" << first.err);
  CHECK(first.code == poda::kExitOk);
  const Finished again =
      run_poda({"run", (tmp.path / "small.yaml").string(), "--results", results}, tmp.path, "b");
  CHECK(again.code == poda::kExitOk);
  CHECK(again.err.find("not ok") == std::string::npos);
}

TEST_CASE("exit codes: 1 when runs failed, with every failed run and its reason on one line") {
  poda_test::TempDir tmp("poda_exit_codes");
  // A training label is out of range: the headers pass the checks made before anything runs,
  // and every run fails when it loads the data.
  poda_test::write_small_mnist(tmp.path / "data");
  const fs::path labels = tmp.path / "data" / "train-labels-idx1-ubyte";
  std::string bytes = poda_test::read_text(labels);
  bytes[8] = 12;  // the first label, after the 8-byte header
  poda_test::write_text(labels, bytes);
  poda_test::write_text(tmp.path / "small.yaml", small_config(tmp.path / "data"));
  const std::string results = (tmp.path / "results").string();
  const Finished f =
      run_poda({"run", (tmp.path / "small.yaml").string(), "--results", results}, tmp.path, "run");
  INFO("stderr:\n" << f.err);
  CHECK(f.code == poda::kExitRunsFailed);
  const std::string line = "poda: 2 of 2 runs not ok: sparsity=0.5 (failed: ";
  const std::size_t at = f.err.find(line);
  REQUIRE(at != std::string::npos);
  const std::string summary = f.err.substr(at, f.err.find('\n', at) - at);
  CHECK(summary.find("; sparsity=0.8 (failed: ") != std::string::npos);
  CHECK(summary.find("train-labels-idx1-ubyte: label 12 at index 0 is out of range") !=
        std::string::npos);

  // Failed runs are finished: a second call skips them, and still says they are not ok.
  const Finished again = run_poda({"run", (tmp.path / "small.yaml").string(), "--results", results},
                                  tmp.path, "again");
  CHECK(again.code == poda::kExitRunsFailed);
  CHECK(again.err.find("poda: 2 of 2 runs not ok: ") != std::string::npos);
}

TEST_CASE("exit codes: 2 for a usage error, a bad config path and a missing results folder") {
  poda_test::TempDir tmp("poda_exit_codes");
  CHECK(run_poda({"run"}, tmp.path, "no_config").code == poda::kExitInputError);
  CHECK(run_poda({"frobnicate"}, tmp.path, "unknown").code == poda::kExitInputError);
  CHECK(run_poda({"check", "x.yaml", "--max-runs", "0"}, tmp.path, "max_runs").code ==
        poda::kExitInputError);
  const Finished shard = run_poda({"run", "x.yaml", "--shard", "4/4"}, tmp.path, "shard");
  CHECK(shard.code == poda::kExitInputError);
  CHECK(shard.err.find("--shard '4/4': expected i/n with 0 <= i < n") != std::string::npos);
  CHECK(run_poda({"--help"}, tmp.path, "help").code == poda::kExitOk);

  const Finished folder = run_poda({"check", tmp.str()}, tmp.path, "folder");
  CHECK(folder.code == poda::kExitInputError);
  CHECK(folder.err.find("poda: error: " + tmp.str() +
                        ": is a folder; expected an experiment YAML file\n") != std::string::npos);

  const std::string missing = (tmp.path / "results" / "nothing").string();
  const Finished report = run_poda({"report", missing}, tmp.path, "report");
  CHECK(report.code == poda::kExitInputError);
  CHECK(report.err.find(missing + ": no such results folder") != std::string::npos);
  CHECK_FALSE(
      fs::exists(tmp.path / "results"));  // it used to create the folder and an empty runs.csv
}

TEST_CASE("exit codes: --max-runs raises or lowers the sweep limit of run and check") {
  poda_test::TempDir tmp("poda_exit_codes");
  poda_test::write_small_mnist(tmp.path / "data");  // check reads the dataset's headers
  poda_test::write_text(tmp.path / "small.yaml",
                        small_config(tmp.path / "data", "[0.1, 0.2, 0.3]"));
  const std::string config = (tmp.path / "small.yaml").string();
  const Finished low = run_poda({"check", config, "--max-runs", "2"}, tmp.path, "low");
  CHECK(low.code == poda::kExitInputError);
  CHECK(low.err.find("the sweep expands to more than 2 runs (3)") != std::string::npos);
  CHECK(run_poda({"check", config, "--max-runs", "3"}, tmp.path, "ok").code == poda::kExitOk);
  CHECK(run_poda({"run", config, "--max-runs", "2", "--results", (tmp.path / "r").string()},
                 tmp.path, "run")
            .code == poda::kExitInputError);
}

TEST_CASE("exit codes: 2 for a results path that is a file, naming it") {
  poda_test::TempDir tmp("poda_exit_codes");
  poda_test::write_small_mnist(tmp.path / "data");
  poda_test::write_text(tmp.path / "small.yaml", small_config(tmp.path / "data"));
  poda_test::write_text(tmp.path / "a_file", "not a folder");
  for (const fs::path& results : {tmp.path / "a_file", tmp.path / "a_file" / "deeper"}) {
    CAPTURE(results);
    const Finished f =
        run_poda({"run", (tmp.path / "small.yaml").string(), "--results", results.string()},
                 tmp.path, "run");
    INFO("stderr:\n" << f.err);
    CHECK(f.code == poda::kExitInputError);
    CHECK(f.err.find("results folder '" + (tmp.path / "a_file").string() + "' is a file") !=
          std::string::npos);
  }
}

TEST_CASE("exit codes: 3 for an I/O failure, e.g. a results root that cannot be created") {
  // Root writes anywhere: then poda runs as nobody (setpriv), when this system has it.
  std::vector<std::string> as_user;
  if (::geteuid() == 0) {
    const std::string setpriv = poda_test::find_on_path("setpriv");
    if (setpriv.empty())
      PODA_SKIP_TEST("running as root without setpriv: every folder is writable");
    as_user = {setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  poda_test::TempDir tmp("poda_exit_codes");
  poda_test::write_small_mnist(tmp.path / "data");
  poda_test::write_text(tmp.path / "small.yaml", small_config(tmp.path / "data"));
  fs::create_directory(tmp.path / "read_only");
  const fs::perms read_only = fs::perms::owner_read | fs::perms::owner_exec |
                              fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec;
  fs::permissions(tmp.path, read_only | fs::perms::owner_write);
  fs::permissions(tmp.path / "read_only", read_only);
  std::vector<std::string> argv = as_user;
  for (const std::string& a :
       {poda_test::poda_binary(), std::string("run"), (tmp.path / "small.yaml").string(),
        std::string("--results"), (tmp.path / "read_only" / "results").string()})
    argv.push_back(a);
  const Finished f = poda_test::run_command(argv, tmp.path, "run");
  fs::permissions(tmp.path / "read_only", fs::perms::owner_all);
  INFO("stderr:\n" << f.err);
  CHECK(f.code == poda::kExitInternalError);
  CHECK(f.err.find("Permission denied") != std::string::npos);
}
