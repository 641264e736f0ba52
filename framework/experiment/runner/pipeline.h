#pragma once
// What one run of an experiment computes. Dense pretraining is its own step, shared by
// every run with the same dataset, model, train settings and seed (pretrain_key); a run
// then loads that dense model, prunes it on its schedule and reports its row of runs.csv.
//
//   pretrain dir:  dense.ckpt (model chosen on validation data), init.ckpt (the weights
//                  before training, for lottery-ticket rewinding), rewind.ckpt (weights at
//                  the lottery's rewind step, when > 0), metrics.jsonl
//   run dir:       metrics.jsonl, rounds.csv, layer_sparsity.csv, final.ckpt
#include <string>

#include <yaml-cpp/yaml.h>

#include "experiment/config/config.h"
#include "experiment/results/results_store.h"
#include "train/progress.h"

namespace poda {

// "" when the run trains from scratch (no prune section, pruning at initialisation).
std::string pretrain_key(const ExperimentConfig& config, const YAML::Node& document);

// Trains the dense model into `dir` unless dense.ckpt is already there and it and the
// init/rewind checkpoints beside it pass their checks (a damaged one is trained again).
void pretrain(const ExperimentConfig& config, const std::string& dir, Progress& progress);

// One run; `pretrain_dir` is "" when pretrain_key() is "".
RunRow run_point(const ExperimentConfig& config, const std::string& run_dir,
                 const std::string& pretrain_dir, Progress& progress);

}  // namespace poda
