#pragma once
// What a sweep will run, decided before anything runs: every point validated
// (all errors collected), runs grouped by their shared dense pretraining, and the
// split of that work over independent workers (shards, MPI ranks).
//
// Shared pretraining without locks: pretraining is a phase of its own. Each group's
// dense model is trained once, by exactly one worker, and saved (atomically) in the
// group's pretrain folder; the runs start only after that phase, and then any worker
// may run any run of the group, loading the checkpoint. With --jobs and MPI the phases
// are separated by waiting for the workers / MPI_Barrier. Independent shards (Slurm
// arrays) cannot wait for each other, so a shard is handed whole groups when there
// are enough of them; otherwise every shard pretrains the groups its runs need
// (the same deterministic result, written by atomic rename, so duplicates are only
// wasted time, never a torn or mixed checkpoint).
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiment/config/sweep.h"

namespace poda {

struct PointError {
  std::string run_id;
  std::string message;  // the validator's what(), e.g. "exp.yaml:12:5: unknown key 'lrr'"
};

// what() lists every error, one per line, each prefixed by its run id(s).
struct RunPlanError : UserError {
  std::vector<PointError> errors;
  explicit RunPlanError(std::vector<PointError> errs);
};

// One error per line: "run_id: message". A message shared by several runs (an error
// in the base document) is printed once: "run_a (and 19 more runs): message".
std::string format_point_errors(const std::vector<PointError>& errors);

struct PretrainGroup {
  std::string key;                // "" = the runs need no shared pretraining
  std::vector<std::size_t> runs;  // indices into RunPlan::points, in sweep order
};

struct RunPlan {
  std::vector<SweepPoint> points;
  std::vector<PretrainGroup> groups;  // in order of first run; runs with key "" are singletons
  std::vector<std::size_t> group_of;  // point index -> group index
  std::vector<std::string> run_ids() const;
};

using ValidateFn = std::function<void(const SweepPoint&)>;            // throws on a bad point
using PretrainKeyFn = std::function<std::string(const SweepPoint&)>;  // same key = same dense model

// Validates every point (an exception from validate or key is that point's error)
// and groups them. Throws RunPlanError with all errors before anything can run.
// A null key function puts every run in a group of its own with key "".
RunPlan make_run_plan(std::vector<SweepPoint> points, const ValidateFn& validate,
                      const PretrainKeyFn& key);

// The i-th of n independent workers (0 <= index < count).
struct Slice {
  int index = 0;
  int count = 1;
};

// Parses "--shard i/n" (0 <= i < n): the form of SLURM_ARRAY_TASK_ID with
// --array=0-(n-1). std::invalid_argument naming the text otherwise.
Slice parse_shard(const std::string& text);

// The work of one slice. `synchronised`: the slices wait for each other between the
// phases (MPI ranks), so pretraining is split by group and runs by run. Otherwise
// (shards) runs are split by group when there are at least as many groups as slices,
// largest group first onto the least loaded slice; else run by run, each slice
// pretraining the groups its runs need. Every run belongs to exactly one slice.
struct SliceWork {
  std::vector<std::size_t> pretrain_groups;  // indices into plan.groups (only keyed groups)
  std::vector<std::size_t> runs;             // indices into plan.points, group by group
};
SliceWork slice_work(const RunPlan& plan, Slice slice, bool synchronised);

}  // namespace poda
