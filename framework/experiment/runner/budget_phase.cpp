#include "experiment/runner/budget_phase.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <filesystem>

#include <fmt/format.h>

#include "budget/layer_forms.h"
#include "budget/quantity.h"
#include "budget/strategy.h"
#include "experiment/config/sweep.h"
#include "experiment/io/atomic_file.h"
#include "experiment/runner/budget_candidates.h"
#include "experiment/runner/quantize_trial.h"
#include "experiment/runner/trainer_hooks.h"
#include "prune/bn_recalibration.h"
#include "train/trainer.h"

namespace poda {

namespace fs = std::filesystem;

namespace {

std::string tables_dir(const BudgetRun& run) {
  return (fs::path(run.run_dir).parent_path().parent_path() / "budget_tables").string();
}

// A kept table is one file per key (named by the key's hash, the key beside it), written
// atomically, so runs of one sweep in parallel read a whole table or none.
void keep_tables(BudgetProblem& problem, const std::string& dir) {
  problem.load_table = [dir](const std::string& key) -> std::string {
    const fs::path path = fs::path(dir) / (stable_hash_hex(key) + ".csv");
    std::error_code ec;
    if (!fs::exists(path, ec)) return "";
    try {
      const std::string kept_key = read_file(path.string() + ".key");
      return kept_key == key ? read_file(path.string()) : "";
    } catch (const std::exception&) {
      return "";  // unreadable: measured again
    }
  };
  problem.save_table = [dir](const std::string& key, const std::string& text) {
    fs::create_directories(dir);
    const std::string path = (fs::path(dir) / (stable_hash_hex(key) + ".csv")).string();
    write_file_atomically(path + ".key", key);
    write_file_atomically(path, text);
  };
}

int recalibration_batches(const PruneSettings& s, Module& model) {
  if (!has_running_statistics(model)) return 0;
  return s.bn_recalibration_batches == kDefaultRecalibration ? kRecalibrationBatches
                                                             : s.bn_recalibration_batches;
}

// `steps` optimiser steps of the configured optimiser at the fine-tuning learning rate, on the
// training batches compute_gradients feeds (continuing where the last call stopped).
std::function<void(Module&, int)> short_finetune(const ExperimentConfig& c,
                                                 const ScheduleHooks& hooks) {
  TrainSettings t = c.train;
  t.lr = static_cast<float>(c.train.lr * c.prune->finetune_lr_scale);
  auto next = std::make_shared<int>(0);
  return [t, next, grad = hooks.compute_gradients](Module& model, int steps) {
    const std::unique_ptr<Optimizer> optimizer = make_optimizer(t, model.parameters());
    for (int i = 0; i < steps; ++i) {
      model.zero_grad();
      grad(model, (*next)++);
      optimizer->step();
    }
    model.zero_grad();
    model.eval();
  };
}

// A bytes budget with quantize: the value formats (fp32 only where the forms allow the
// scheme's kind) and the trial that counts a quantized candidate.
void quantized_formats(BudgetProblem& problem, const BudgetRun& run) {
  const ExperimentConfig& c = run.config;
  if (!budget_counts_quantization(c)) return;
  const std::vector<std::string>& allowed = c.prune->budget->quant_forms;
  const bool choosable =
      std::find(allowed.begin(), allowed.end(), c.quantize->kind) != allowed.end();
  problem.value_formats = choosable ? std::vector<std::string>{"", c.quantize->kind}
                                    : std::vector<std::string>{c.quantize->kind};
  problem.quantize_trial = [&c, &data = run.data](Sequential& m, const std::string& format,
                                                   bool loss) {
    if (format != c.quantize->kind)
      throw std::logic_error("budget: no quantize section for value format " + format);
    return quantize_trial(m, c, data, loss);
  };
}

}  // namespace

LatencyProtocol budget_final_protocol(const ExperimentConfig& c) {
  return c.latency ? c.latency->protocol : LatencyProtocol{};
}

bool budget_counts_quantization(const ExperimentConfig& c) {
  return c.prune && c.prune->budget && c.prune->budget->kind == BudgetKind::bytes && c.quantize;
}

void record_budget_settings(const ExperimentConfig& c, RunRecord& record) {
  if (!c.prune || !c.prune->budget) return;
  // No schedule, one granularity or scope made the model: the search chose per layer among
  // the forms (layer_sparsity.csv says which).
  std::string forms;
  for (Granularity g : c.prune->budget->forms) forms += (forms.empty() ? "" : "+") + granularity_name(g);
  for (const std::string& q : c.prune->budget->quant_forms) forms += "+" + q;
  record.set("schedule", "budget");
  record.set("granularity", forms);
  record.set("scope", "layer");
  record.set("budget_kind", c.prune->budget->label());
  record.set("budget", c.prune->budget->value);
  record.set("budget_strategy", c.prune->budget->strategy);
}

BudgetOutcome prune_to_budget(Sequential& model, const BudgetRun& run, RunRecord& record) {
  const ExperimentConfig& c = run.config;
  const PruneSettings& s = *c.prune;
  const ScheduleHooks hooks = trainer_hooks(run.data.splits, run.data.norm, c.train, c.seed,
                                            run.log_epoch, &run.progress);
  const LoadedData& data = run.data;
  BudgetProblem problem{model, data.input_shape, s};
  problem.validation_loss = [&data, batch = c.train.eval_batch_size](Module& m) {
    return evaluate(m, data.splits.val, data.norm, batch).loss;
  };
  problem.run_forward = hooks.run_forward;
  problem.compute_gradients = hooks.compute_gradients;
  problem.recalibration_batches = recalibration_batches(s, model);
  problem.message = [&progress = run.progress](const std::string& line) { progress.message(line); };
  problem.short_finetune = short_finetune(c, hooks);
  keep_tables(problem, tables_dir(run));
  quantized_formats(problem, run);

  if (budget_layers(model, s).empty()) {
    BudgetOutcome none;
    none.failure = "no layer may take any of the budget's forms";
    return none;
  }
  return search_and_choose(model, run, problem, record);
}

std::string check_budget(Sequential& model, const BudgetRun& run, RunRecord& record,
                         std::optional<double> quantized_bytes) {
  const BudgetSpec& b = *run.config.prune->budget;
  BudgetMeasurement m;
  if (quantized_bytes && b.kind == BudgetKind::bytes)
    m.value = *quantized_bytes;
  else
    m = measure_budget(model, run.data.input_shape, b, budget_final_protocol(run.config),
                       kFinalReadings);
  record.set("budget_achieved", m.value);
  const bool met = b.met_by(m.value);
  record.set("budget_met", met ? "true" : "false");
  if (met) return "";
  return fmt::format("the fine-tuned model measures {} {:.6g} against the budget {}", b.key(),
                     m.value, format_number(b.value));
}

}  // namespace poda
