#pragma once
// The subcommands behind `poda run | check | report`; main.cpp only parses arguments.
#include <functional>
#include <string>

#include "experiment/config/input_limits.h"
#include "experiment/runner/run_plan.h"

namespace poda {

// Exit codes of `poda`, documented in README.md ("Exit codes"): a script or scheduler
// can tell a bad input from failed runs from a bug.
inline constexpr int kExitOk = 0;             // every planned run is ok (or: check passed)
inline constexpr int kExitRunsFailed = 1;     // the sweep ran; some runs failed or were lost
inline constexpr int kExitInputError = 2;     // bad config, command line, or file it names
inline constexpr int kExitInternalError = 3;  // anything else: I/O, out of memory, a bug

struct RunOptions {
  std::string config;
  std::string results_root = "results";
  int threads = 0;    // BLAS threads per run; 0 = as the file says
  int jobs = 1;       // worker processes
  std::string shard;  // "i/n" or ""
  bool retry_failed = false;
  std::size_t max_runs = kDefaultMaxRuns;  // a larger sweep is refused before expanding
  // Set by main under mpirun: this rank's slice and the barrier between phases.
  Slice mpi_slice;
  std::function<void()> mpi_barrier;
};

int command_run(const RunOptions& options);
int command_check(const std::string& config_path, std::size_t max_runs = kDefaultMaxRuns);
int command_report(const std::string& results_dir, std::size_t max_runs = kDefaultMaxRuns);

}  // namespace poda
