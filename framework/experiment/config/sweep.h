#pragma once
// Expands the `sweep:` block of an experiment document into one full config per
// run, so everything downstream sees plain single-run documents.
//
//   sweep:
//     prune.sparsity: [0.5, 0.9]          # every key is a dotted path into the config
//     prune.schedule.kind: [one_shot, iterative]
//     zip:                                # optional: lists that vary together
//       train.epochs: [5, 10]
//       train.lr: [0.1, 0.05]
//
// The points are the Cartesian product of the axes (each plain key is one axis,
// the zip group is one axis), the first axis varying slowest, in document order.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/user_error.h"
#include "experiment/config/input_limits.h"

namespace poda {

// what() is "file:line:col: message" (1-based), pointing into the sweep block.
struct SweepError : UserError {
  using UserError::UserError;
};

struct SweepPoint {
  std::string
      run_id;  // unique, deterministic, filesystem-safe, e.g. "sparsity=0.9_kind=iterative_seed=1"
  YAML::Node config;  // deep copy of the document without `sweep`, with every swept path set
  std::vector<std::pair<std::string, std::string>>
      swept;  // dotted path -> value as text, axis order
};

// The expanded runs of `root` (read from `file`, used in errors). No sweep block
// gives one point with run id "run" and nothing swept. Throws SweepError when the
// document is not a map, a sweep value is not a non-empty list, zip lists differ in
// length, a path is malformed, repeated or overlaps another, or a path's parent does
// not exist or is not a map (only the last key of a path may be created), or the sweep
// would expand to more than `max_runs` runs (counted before expanding).
std::vector<SweepPoint> expand_sweep(const YAML::Node& root, const std::string& file,
                                     std::size_t max_runs = kDefaultMaxRuns);
// The same from the file's text: every point's config keeps the file's line and column
// marks (YAML::Clone drops them), so errors found in any point can name the position.
std::vector<SweepPoint> expand_sweep_source(const std::string& text, const std::string& file,
                                            std::size_t max_runs = kDefaultMaxRuns);

// The run id used when the document has no sweep block.
inline constexpr const char* kSingleRunId = "run";

// "file:line:col" of a yaml-cpp mark (whose line and column are 0-based).
std::string yaml_location(const std::string& file, const YAML::Mark& mark);

// 64-bit FNV-1a as 16 hex digits: a stable short name for any text (same value on
// every machine and run, unlike std::hash).
std::string stable_hash_hex(const std::string& text);

}  // namespace poda
