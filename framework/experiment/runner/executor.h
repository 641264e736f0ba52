#pragma once
// experiment/runner/: orchestration. The run plan (run_plan.h) and its execution over
// workers, shards and MPI ranks (this header); what one run computes (pipeline.h: data,
// pretraining, the pruning schedule, measurements) and its adapters to the lower layers
// (data_source.h, model_checkpoint.h, trainer_hooks.h, the bridge from prune/'s schedules
// to train/'s trainer).
//
// Runs a plan's unfinished runs: pretraining phase, then the runs, over --jobs
// worker processes, one shard of many, or one MPI rank of many; records each run's
// row and keeps runs.csv current. What a run computes is the caller's callback.
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>

#include "experiment/results/results_store.h"
#include "experiment/runner/run_plan.h"

namespace poda {

// Computes one run in `run_dir` (created) and returns its row (without run_id or the
// swept keys: those are added, each in its column of the run record, results/run_record.h). An exception becomes a row with status=failed and
// reason=what(); the sweep goes on. A row may set status itself (e.g. failed on NaN).
using RunFn = std::function<RunRow(const SweepPoint& point, const std::string& run_dir)>;

// Trains and saves the dense model of a pretraining group into `pretrain_dir`
// (ResultsStore::pretrain_dir of its key), for `first_run`, the group's first point.
// Called under the folder's lock (io/file_lock.h), so one process at a time trains a dense
// model. Must be idempotent: keep a checkpoint that is already there and sound. An exception marks
// every unfinished run of the group failed with reason "pretraining failed: ...".
using PretrainFn =
    std::function<void(const SweepPoint& first_run, const std::string& pretrain_dir)>;

struct ExecutorOptions {
  int jobs = 1;                   // worker processes on this machine
  Slice slice;                    // this shard / MPI rank
  std::function<void()> barrier;  // MPI: all slices wait here between phases and at the end
  bool retry_failed = false;      // rerun runs whose result says status=failed
  std::FILE* log = stderr;        // progress lines; nullptr for none
  std::function<void()> run_recorded;  // called in this process as each run's result lands
};

struct ExecutionSummary {
  std::size_t planned = 0;  // runs of this slice
  std::size_t skipped = 0;  // already finished before this call
  std::size_t ok = 0;
  std::size_t failed = 0;  // recorded with status other than ok
  std::size_t lost = 0;    // worker died mid-run: no result, redone by the next call
};

// Runs this slice's unfinished runs and returns what happened. runs.csv is
// rebuilt (atomically, from all result files of the plan) after every finished run
// and at the end; under MPI only slice 0 writes it, after the final barrier.
ExecutionSummary execute_plan(const RunPlan& plan, const ResultsStore& store, const RunFn& run,
                              const PretrainFn& pretrain, const ExecutorOptions& options);

// "1h02m", "3m07s", "12s": for ETAs.
std::string format_duration(double seconds);

}  // namespace poda
