#pragma once
// A run with prune.budget: the registered search (budget/strategy.h) chooses each layer's
// form and sparsity, the model is pruned to them and fine-tuned, and the result is timed (or
// counted) again in a fresh plan: budget_achieved is that measurement, never the search's
// prediction. Measured latency tables are kept in the results folder's budget_tables/, so
// a resumed or second run on the same CPU, kernel target and model shape reuses them.
#include <functional>
#include <map>
#include <string>

#include "experiment/config/config.h"
#include "experiment/results/run_record.h"
#include "experiment/runner/data_source.h"
#include "nn/layers/sequential.h"
#include "train/metrics.h"
#include "train/progress.h"

namespace poda {

struct BudgetRun {
  const ExperimentConfig& config;  // config.prune->budget is set
  const LoadedData& data;
  std::string run_dir;  // results/<name>/runs/<id>: the tables go two folders up
  Progress& progress;
  std::function<void(const EpochMetrics&)> log_epoch;
};

struct BudgetOutcome {
  double acc_pruned = 0.0;  // test accuracy right after pruning (BatchNorm re-estimated)
  std::string failure;      // why the budget cannot be met, or ""
  std::map<std::string, std::string> forms;  // layer -> its chosen form ("dense": untouched)
};

// The budget settings of a run's row (budget_kind, budget, budget_strategy; schedule
// "budget", granularity the allowed forms joined by "+", scope "layer"); nothing without one.
void record_budget_settings(const ExperimentConfig& config, RunRecord& record);

// Searches, prunes and fine-tunes `model`; records search_seconds, acc_before_finetune and
// bn_recalibration.
BudgetOutcome prune_to_budget(Sequential& model, const BudgetRun& run, RunRecord& record);

// Measures the final model's budget quantity and records budget_achieved and budget_met.
// Returns why the budget is missed, or "".
std::string check_budget(Sequential& model, const BudgetRun& run, RunRecord& record);

}  // namespace poda
