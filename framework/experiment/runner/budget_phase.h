#pragma once
// A run with prune.budget: the registered search (budget/strategy.h) chooses each layer's
// form and sparsity, the model is pruned to them and fine-tuned, and the result is timed (or
// counted) again in a fresh plan: budget_achieved is that measurement, never the search's
// prediction. Measured latency tables are kept in the results folder's budget_tables/, so
// a resumed or second run on the same CPU, kernel target and model shape reuses them.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "experiment/config/config.h"
#include "experiment/results/run_record.h"
#include "experiment/runner/data_source.h"
#include "measure/latency.h"
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
  // A bytes budget of a run with quantize: whether the weights are stored quantized (the
  // quantize phase runs, and the budget is checked on its stored size) or in fp32 (the
  // search chose fp32 among its value formats: the quantize phase is skipped).
  bool counts_quantized = false, skip_quantize = false;
};

// Whether the budget's quantity is the quantized stored size (bytes, with a quantize section).
bool budget_counts_quantization(const ExperimentConfig& config);

// The budget settings of a run's row (budget_kind, budget, budget_strategy; schedule
// "budget", granularity the allowed forms joined by "+", scope "layer"); nothing without one.
void record_budget_settings(const ExperimentConfig& config, RunRecord& record);

// Searches, prunes and fine-tunes `model`: a search's answer and the baselines' at the same
// budget are candidates of one final choice on validation accuracy (budget_candidates.h);
// records search_seconds, budget_choice, budget_candidates, acc_before_finetune and
// bn_recalibration.
BudgetOutcome prune_to_budget(Sequential& model, const BudgetRun& run, RunRecord& record);

// The protocol a run's final check times a budget with (its measure: latency protocol), which
// the final choice re-measures every candidate with too, the same number of readings
// (kFinalReadings, budget/quantity.h): the choice and the check then measure alike.
LatencyProtocol budget_final_protocol(const ExperimentConfig& config);

// Measures the final model's budget quantity and records budget_achieved and budget_met;
// `quantized_bytes` (the quantize phase's bytes_quant of the final model), when given, is
// the measurement of a bytes budget. Returns why the budget is missed, or "".
std::string check_budget(Sequential& model, const BudgetRun& run, RunRecord& record,
                         std::optional<double> quantized_bytes = std::nullopt);

}  // namespace poda
