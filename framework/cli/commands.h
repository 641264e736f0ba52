#pragma once
// The subcommands behind `poda run | check | report`; main.cpp only parses arguments.
#include <functional>
#include <string>

#include "core/user_error.h"
#include "experiment/config/input_limits.h"
#include "experiment/runner/run_plan.h"

namespace poda {

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
// include_all: also the finished runs in the folder that its config's sweep does not list
// (an earlier sweep under the same name), after the sweep's own.
int command_report(const std::string& results_dir, std::size_t max_runs = kDefaultMaxRuns,
                   bool include_all = false);

}  // namespace poda
