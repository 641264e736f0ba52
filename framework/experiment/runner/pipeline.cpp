#include "experiment/runner/pipeline.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sys/stat.h>

#include <fmt/format.h>

#include "core/elapsed.h"
#include "core/blas_runtime.h"
#include "experiment/io/atomic_file.h"
#include "experiment/io/csv.h"
#include "experiment/results/layer_sparsity_csv.h"
#include "experiment/results/run_record.h"
#include "experiment/runner/budget_phase.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/model_checkpoint.h"
#include "experiment/runner/model_start.h"
#include "experiment/runner/quantize_phase.h"
#include "experiment/runner/trainer_hooks.h"
#include "measure/compact.h"
#include "infer/measure.h"
#include "measure/model_cost.h"
#include "nn/model_builder.h"
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"
#include "prune/sparsity_report.h"
#include "train/trainer.h"

namespace poda {

namespace {

using Clock = std::chrono::steady_clock;

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string fixed(double v, int digits = 4) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "";
}

bool uses_pretraining(const ExperimentConfig& c) {
  return c.prune && make_schedule(c.prune->schedule)->starts_from_pretrained();
}

// The step whose weights the schedule rewinds to (0: the initialisation, or no rewinding).
long lottery_rewind_step(const ExperimentConfig& c) {
  return c.prune ? make_schedule(c.prune->schedule)->rewind_step().value_or(0) : 0;
}

double metadata_number(const Checkpoint& c, const std::string& key, const std::string& path) {
  auto it = c.metadata.find(key);
  try {
    if (it != c.metadata.end()) return std::stod(it->second);
  } catch (const std::exception&) {}
  throw CheckpointError(path + ": metadata '" + key + "' is missing or not a number");
}

// What the run is, in every row (ok or failed); dense baselines get "none", so they sit in
// the same table as the pruned runs.
RunRecord settings_record(const ExperimentConfig& c) {
  const PruneSettings* p = c.prune ? &*c.prune : nullptr;
  RunRecord r;
  r.set("seed", static_cast<std::int64_t>(c.seed));
  r.set("schedule", p ? p->schedule.kind : "dense");
  r.set("criterion", p ? p->criterion : "none");
  r.set("granularity", p ? granularity_name(p->granularity.kind) : "none");
  r.set("scope", p ? scope_name(p->scope) : "none");
  // A budget has no target sparsity: each layer's is the search's (layer_sparsity.csv).
  r.set("target_sparsity", p && p->budget ? NAN : p ? p->sparsity : 0.0);
  record_budget_settings(c, r);
  record_quantize_settings(c, r);
  return r;
}

}  // namespace

std::string pretrain_key(const ExperimentConfig& c, const YAML::Node& document) {
  if (!uses_pretraining(c)) return "";
  // The sections that decide the dense model, as resolved text (sweep values included).
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const char* section : {"dataset", "model", "train"}) {
    const YAML::Node& doc = document;
    // A model file is its content, wherever it lies: copies share one pretraining.
    if (section == std::string("model") && c.model.file)
      out << YAML::Key << "model" << YAML::Value << YAML::BeginMap << YAML::Key
          << c.model.file->kind << YAML::Value << c.model.file->content_hash << YAML::EndMap;
    else if (doc[section])
      out << YAML::Key << section << YAML::Value << doc[section];
  }
  out << YAML::Key << "seed" << YAML::Value << c.seed;
  out << YAML::Key << "rewind_step" << YAML::Value << lottery_rewind_step(c);
  out << YAML::EndMap;
  return out.c_str();
}

namespace {

// Whether the pretraining in `dir` is complete and every file of it passes its checks; a
// damaged one is said so on `progress`, to be trained again rather than fail every run.
bool sound_pretraining(const ExperimentConfig& c, const std::string& dir, Progress& progress) {
  const std::string dense_path = dir + "/dense.ckpt";
  if (!file_exists(dense_path)) return false;
  const long rewind_step = lottery_rewind_step(c);
  try {
    for (const char* file : {"/dense.ckpt", "/init.ckpt", "/rewind.ckpt"})
      if (file != std::string("/rewind.ckpt") || rewind_step > 0) load_checkpoint(dir + file);
    return true;
  } catch (const std::exception& e) {
    progress.message(std::string("training the dense model again: ") + e.what());
    std::remove(dense_path.c_str());
    return false;
  }
}

}  // namespace

void pretrain(const ExperimentConfig& c, const std::string& dir, Progress& progress) {
  const std::string dense_path = dir + "/dense.ckpt";
  if (sound_pretraining(c, dir, progress)) return;
  std::remove((dir + "/metrics.jsonl").c_str());  // an interrupted attempt's epochs
  set_blas_threads(c.threads);
  set_sparse_training(c.train.sparse_training);
  const LoadedData& data = cached_data(c);
  auto model = fresh_model(c, data);
  save_checkpoint(dir + "/init.ckpt", model_to_checkpoint(*model));
  const long rewind_step = lottery_rewind_step(c);
  TrainHooks hooks;
  hooks.on_epoch_end = [&](const EpochMetrics& m) {
    append_line_durably(dir + "/metrics.jsonl", to_json(m));
  };
  if (rewind_step > 0)
    hooks.on_step_end = [&](std::size_t step) {
      if (static_cast<long>(step) + 1 == rewind_step)
        save_checkpoint(dir + "/rewind.ckpt", model_to_checkpoint(*model));
    };
  const auto start = Clock::now();
  progress.message(c.train.epochs > 0 ? "pretraining the dense model"
                                      : "evaluating the given dense model");
  const FitResult fit_result = train_or_take(*model, c, data, "dense", hooks, &progress);
  Checkpoint dense = model_to_checkpoint(*model);
  describe_model(dense, model_description(c, data));
  dense.metadata["best_epoch"] = std::to_string(fit_result.best_epoch);
  dense.metadata["val_acc"] = fixed(fit_result.best_val_acc, 6);
  dense.metadata["test_acc"] =
      fixed(evaluate(*model, data.splits.test, data.norm, c.train.eval_batch_size).accuracy, 6);
  dense.metadata["seconds"] = fixed(seconds_since(start), 1);
  save_checkpoint(dense_path, dense);  // last: its presence means the pretraining is done
}

namespace {

// What every step of one run needs.
struct RunContext {
  const ExperimentConfig& config;
  const LoadedData& data;
  std::string run_dir;
  std::string pretrain_dir;  // "" when the run trains from scratch
  Progress& progress;
  std::function<void(const EpochMetrics&)> log_epoch;
};

struct DenseStart {
  double acc_dense = NAN;
  double pretrain_seconds = 0.0;
};

// Loads the shared dense model into `model`, when the run starts from one.
DenseStart load_dense(Sequential& model, const RunContext& run) {
  DenseStart start;
  if (run.pretrain_dir.empty()) return start;
  const std::string dense_path = run.pretrain_dir + "/dense.ckpt";
  const Checkpoint dense = load_checkpoint(dense_path);
  load_model_checkpoint(model, dense, dense_path);
  start.acc_dense = metadata_number(dense, "test_acc", dense_path);
  start.pretrain_seconds = metadata_number(dense, "seconds", dense_path);
  return start;
}

// A dense run: training is the whole run. Returns the test accuracy of the trained model.
double train_dense(Sequential& model, const RunContext& run, RunRecord& record) {
  const ExperimentConfig& c = run.config;
  TrainHooks train_hooks;
  train_hooks.on_epoch_end = run.log_epoch;
  const FitResult r = train_or_take(model, c, run.data, "train", train_hooks, &run.progress);
  record.set("best_epoch", r.best_epoch);
  return evaluate(model, run.data.splits.test, run.data.norm, c.train.eval_batch_size).accuracy;
}

// Lottery tickets rewind to the saved initial weights (or those of the rewind step).
std::unique_ptr<WeightSnapshot> rewind_point(const RunContext& run) {
  const ExperimentConfig& c = run.config;
  const PruneSettings& p = *c.prune;
  const std::optional<long> step = make_schedule(p.schedule)->rewind_step();
  if (!step) return nullptr;
  auto reference = fresh_model(c, run.data);
  const std::string path = run.pretrain_dir + (*step > 0 ? "/rewind.ckpt" : "/init.ckpt");
  load_model_checkpoint(*reference, load_checkpoint(path), path);
  return std::make_unique<WeightSnapshot>(WeightSnapshot::capture(*reference));
}

// Writes rounds.csv again after every round, and says how the round went.
std::function<void(const RoundRecord&)> round_logger(const RunContext& run) {
  auto rounds = std::make_shared<CsvTable>();
  rounds->header = {"round",      "target",      "sparsity",    "units_removed",
                    "val_pruned", "test_pruned", "val_trained", "test_trained"};
  return
      [rounds, path = run.run_dir + "/rounds.csv", &progress = run.progress](const RoundRecord& r) {
        rounds->rows.push_back({std::to_string(r.round), fixed(r.target, 6),
                                fixed(r.report.sparsity(), 6), fixed(r.report.units_removed(), 6),
                                fixed(r.pruned.val), fixed(r.pruned.test), fixed(r.trained.val),
                                fixed(r.trained.test)});
        write_csv_file(path, *rounds);
        progress.message(fmt::format("round {}: sparsity {:.4f}, val {:.2f}% -> {:.2f}%", r.round,
                                     r.report.sparsity(), 100 * r.pruned.val, 100 * r.trained.val));
      };
}

// The fine-tuning phases' times: their sum and each in order ("12.3 11.9 12.1").
void record_phase_seconds(const std::vector<double>& seconds, RunRecord& record) {
  if (seconds.empty()) return;
  double total = 0.0;
  std::string each;
  for (double s : seconds) {
    total += s;
    each += (each.empty() ? "" : " ") + fixed(s, 1);
  }
  record.set("finetune_seconds", total);
  record.set("finetune_phase_seconds", each);
}

// A pruned run: the schedule with its fine-tuning. Returns the test accuracy right after
// the first pruning step (acc_pruned; what that is depends on the schedule: docs/pruning.md).
double prune_on_schedule(Sequential& model, const RunContext& run, RunRecord& record) {
  const ExperimentConfig& c = run.config;
  ScheduleHooks hooks =
      trainer_hooks(run.data.splits, run.data.norm, c.train, c.seed, run.log_epoch, &run.progress);
  auto phase_seconds = std::make_shared<std::vector<double>>();
  hooks.train = [train = hooks.train, phase_seconds](Module& m, const TrainRequest& r) {
    const auto phase_start = Clock::now();
    train(m, r);
    phase_seconds->push_back(seconds_since(phase_start));
  };
  const std::unique_ptr<WeightSnapshot> rewind = rewind_point(run);
  const ScheduleResult result =
      run_schedule(model, *c.prune, hooks, rewind.get(), round_logger(run));
  record_phase_seconds(*phase_seconds, record);
  if (!result.rounds.empty())
    record.set("units_removed", result.rounds.back().report.units_removed());
  record.set("acc_before_finetune", result.before_finetune.test);
  record.set("bn_recalibration", result.recalibration_batches);
  return result.pruned.test;
}

// The inference paths of the final model (infer/measure.h): latency at each batch size and
// size of the dense, sparse and compacted forms. Which kernel each layer took goes to the
// run's kernels.log, not the terminal.
void record_latency(Sequential& model, const RunContext& run, RunRecord& record) {
  const Shape& input = run.data.input_shape;
  const InferenceMeasurement m =
      measure_inference(model, input, *run.config.latency,
                        [&run](const std::string& line) { run.progress.status(line); });
  run.progress.status("");
  for (const NamedValue& v : m.values) {
    if (v.name.rfind("bytes_", 0) == 0) {
      if (std::isfinite(v.value)) record.set(v.name, static_cast<std::int64_t>(v.value));
    } else {
      record.set(v.name, v.value);
    }
  }
  record.set("latency_threads", m.threads);
  std::string log;
  for (const std::string& line : m.layer_log) log += line + "\n";
  write_file_atomically(run.run_dir + "/kernels.log", log);
}

// What compaction keeps of the final model: no timing, so every run records it.
void record_compaction(Sequential& model, const RunContext& run, RunRecord& record) {
  const Shape& input = run.data.input_shape;
  const CompactResult compact = compact_model(model, input);
  if (!compact.model) {
    run.progress.message("not compacted: " + compact.reason);
    return;
  }
  record.set("compact_params", compact.model->parameter_count());
  record.set("compact_macs", compact.model->macs(input));
}

// The final model's files and measurements. Returns why the network is disconnected, or "".
std::string record_final_model(Sequential& model, const RunContext& run, RunRecord& record,
                               const std::map<std::string, std::string>& forms) {
  const ExperimentConfig& c = run.config;
  const SparsityReport report = sparsity_report(model);
  write_layer_sparsity_csv(run.run_dir + "/layer_sparsity.csv", report,
                           c.prune ? granularity_name(c.prune->granularity.kind) : "", forms);
  Checkpoint final = model_to_checkpoint(model);
  describe_model(final, model_description(c, run.data));
  save_checkpoint(run.run_dir + "/final.ckpt", final);
  const ModelCost cost = model_cost(model, run.data.input_shape);
  const std::size_t batch = c.train.eval_batch_size;
  const EvalResult test = evaluate(model, run.data.splits.test, run.data.norm, batch);
  const EvalResult val = evaluate(model, run.data.splits.val, run.data.norm, batch);
  if (c.latency) record_latency(model, run, record);
  record_compaction(model, run, record);
  record.set("sparsity", report.sparsity());
  record.set("params", cost.params);
  record.set("nonzero_params", cost.nonzero_params);
  record.set("macs", cost.macs);
  record.set("effective_macs", cost.effective_macs);
  record.set("acc", test.accuracy);
  record.set("val_acc", val.accuracy);
  return report.disconnection();
}

RunRow failed_row(RunRecord& record, const std::string& reason) {
  record.set("status", "failed");
  record.set("reason", reason);
  return record.row();
}

RunRow run_point_or_throw(const ExperimentConfig& c, const std::string& run_dir,
                          const std::string& pretrain_dir, Progress& progress) {
  const auto start = Clock::now();
  set_blas_threads(c.threads);
  set_sparse_training(c.train.sparse_training);
  const std::string metrics_path = run_dir + "/metrics.jsonl";
  const RunContext run{c,
                       cached_data(c),
                       run_dir,
                       pretrain_dir,
                       progress,
                       [metrics_path](const EpochMetrics& m) { append_line_durably(metrics_path, to_json(m)); }};
  auto model = fresh_model(c, run.data);
  RunRecord record = settings_record(c);
  const DenseStart dense = load_dense(*model, run);
  double acc_dense = dense.acc_dense, acc_pruned = NAN;
  const BudgetRun budget_run{c, run.data, run_dir, progress, run.log_epoch};
  const bool budgeted = c.prune && c.prune->budget;
  BudgetOutcome budget;
  if (budgeted)
    budget = prune_to_budget(*model, budget_run, record);
  else if (c.prune)
    acc_pruned = prune_on_schedule(*model, run, record);
  else
    acc_dense = train_dense(*model, run, record);
  if (!budget.failure.empty()) return failed_row(record, budget.failure);
  if (budgeted) acc_pruned = budget.acc_pruned;
  const std::string disconnected = record_final_model(*model, run, record, budget.forms);
  // A budget is checked on the model before the quantize phase changes its weights, except a
  // bytes budget stored quantized: that is the quantized model's own stored size.
  std::string missed;
  if (budgeted && !budget.counts_quantized) missed = check_budget(*model, budget_run, record);
  if (c.quantize && !budget.skip_quantize) {
    const double bytes =
        run_quantize_phase(*model, {c, run.data, run_dir, progress, run.log_epoch}, record);
    if (budget.counts_quantized) missed = check_budget(*model, budget_run, record, bytes);
  }
  record.set("acc_dense", acc_dense);
  record.set("acc_pruned", acc_pruned);
  record.set("pretrain_seconds", dense.pretrain_seconds);
  record.set("train_seconds", seconds_since(start));
  // A network cut in two computes a constant: its accuracy is not a result of the method.
  record.set("status", disconnected.empty() ? "ok" : "disconnected");
  if (!disconnected.empty()) record.set("reason", disconnected);
  if (!missed.empty()) return failed_row(record, missed);  // a budget missed is no result
  return record.row();
}

}  // namespace

RunRow run_point(const ExperimentConfig& c, const std::string& run_dir,
                 const std::string& pretrain_dir, Progress& progress) {
  try {
    return run_point_or_throw(c, run_dir, pretrain_dir, progress);
  } catch (const TrainingDiverged& e) {
    // The sweep goes on; the row keeps the run's settings so it is found in runs.csv.
    RunRecord record = settings_record(c);
    record.set("status", "failed");
    record.set("reason", e.what());
    return record.row();
  }
}

}  // namespace poda
