#pragma once
// One point of an experiment: train (or reuse) the dense model, prune as configured,
// evaluate, and return its row of runs.csv. Files of the run go to run_dir.
#include <string>
#include <utility>
#include <vector>

#include "experiment/config.h"
#include "train/progress.h"

namespace poda {

using RunRow = std::vector<std::pair<std::string, std::string>>;

RunRow run_one(const ExperimentConfig& config, const std::string& run_dir, Progress& progress);

}  // namespace poda
