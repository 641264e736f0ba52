// End to end: a 2-rank `mpirun` on localhost produces the same runs.csv rows (timings
// aside) as a single process, and rank 0 writes the report.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli_process.h"
#include "temp_dir.h"
#include "skip.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Two ranks on loopback only, shared memory between them (root in a container, no network).
std::vector<std::string> mpirun_argv(const std::string& mpirun, const fs::path& config,
                                     const fs::path& results) {
  return {mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2", "--host", "localhost:2",
          "--mca", "btl", "self,vader", "--mca", "btl_vader_single_copy_mechanism", "none",
          "--mca", "plm_rsh_agent", "false", poda_test::poda_binary(), "run", config.string(),
          "--results", results.string()};
}

TEST_CASE("cli: mpirun -np 2 poda run gives the rows of a single process") {
  const std::string mpirun = poda_test::find_on_path("mpirun");
  if (mpirun.empty()) PODA_SKIP_TEST("mpirun is not on PATH (install openmpi-bin)");
#ifndef PODA_HAVE_MPI
  PODA_SKIP_TEST("poda was built without MPI (OpenMPI not found by CMake)");
#endif
  poda_test::TempDir tmp("poda_cli_mpi");
  const fs::path config = tmp.path / "tiny.yaml";
  poda_test::write_text(config, poda_test::tiny_config());
  const fs::path single = tmp.path / "single", distributed = tmp.path / "mpi";

  const poda_test::Finished one = poda_test::run_poda(
      {"run", config.string(), "--results", single.string()}, tmp.path, "single");
  INFO("single stderr:\n" << one.err);
  REQUIRE(one.code == 0);

  // Under LeakSanitizer: OpenMPI's components keep allocations by design, and only the slow
  // unwinder reaches the library frames tests/sanitizers/lsan.supp names (the fast one stops
  // inside the component, which has no frame pointers). Slow for every malloc, so only here.
  if (const char* asan = std::getenv("ASAN_OPTIONS"))
    ::setenv("ASAN_OPTIONS", (std::string(asan) + ":fast_unwind_on_malloc=0").c_str(), 1);
  const poda_test::Finished two = poda_test::run_command(
      mpirun_argv(mpirun, config, distributed), tmp.path, "mpirun", 60s);
  INFO("mpirun stdout:\n" << two.out << "\nstderr:\n" << two.err);
  REQUIRE(two.code == 0);

  const std::vector<std::string> timings = poda_test::timing_columns();
  const poda::CsvTable a =
      poda_test::without_columns(poda_test::read_csv(single / "tiny" / "runs.csv"), timings);
  const poda::CsvTable b =
      poda_test::without_columns(poda_test::read_csv(distributed / "tiny" / "runs.csv"), timings);
  CHECK(a.rows.size() == 4);
  CHECK(b.header == a.header);
  CHECK(b.rows == a.rows);
  for (const std::string& status : poda_test::column_values(b, "status")) CHECK(status == "ok");

  // Both ranks ran: the slices are disjoint and cover the sweep. Every line of poda's says its
  // rank; the size of the whole sweep is said once.
  CHECK(two.err.find("[rank 0/2] poda: 2 runs in this slice") != std::string::npos);
  CHECK(two.err.find("[rank 1/2] poda: 2 runs in this slice") != std::string::npos);
  CHECK(two.err.find("[rank 0/2] poda: 4 runs planned in all, over 2 MPI ranks") !=
        std::string::npos);
  CHECK(two.err.find("planned in all") == two.err.rfind("planned in all"));
  std::istringstream lines(two.err);
  for (std::string line; std::getline(lines, line);)
    if (line.find("poda:") != std::string::npos) CHECK(line.rfind("[rank ", 0) == 0);
  // Rank 0 writes the report, over every rank's runs.
  REQUIRE(fs::exists(distributed / "tiny" / "report.md"));
  CHECK(poda_test::read_text(distributed / "tiny" / "report.md").find("4 runs: 4 ok") !=
        std::string::npos);
  CHECK(fs::exists(distributed / "tiny" / "plots" / "accuracy_vs_sparsity.svg"));
}
