#include "experiment/pipeline.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sys/stat.h>

#include <fmt/format.h>

#include "core/blas_runtime.h"
#include "experiment/atomic_file.h"
#include "experiment/csv.h"
#include "experiment/data_source.h"
#include "experiment/model_checkpoint.h"
#include "measure/compact.h"
#include "infer/measure.h"
#include "measure/model_cost.h"
#include "nn/model_builder.h"
#include "prune/schedules/driver.h"
#include "prune/schedules/trainer_hooks.h"
#include "prune/sparsity_report.h"
#include "train/trainer.h"

namespace poda {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string fixed(double v, int digits = 4) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "";
}

// One process runs many points of the same data: keep the last loaded splits.
const LoadedData& cached_data(const DatasetConfig& d, std::uint64_t seed) {
  static std::string cached_key;
  static std::unique_ptr<LoadedData> cached;
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", d.name, d.path,
                                      d.split.val_fraction, d.split.val_count,
                                      d.split.train_limit, d.split.val_limit,
                                      d.split.test_limit, d.normalize, seed);
  if (!cached || key != cached_key) {
    cached.reset();  // free the old splits before loading the new ones
    cached = std::make_unique<LoadedData>(load_data(d, seed));
    cached_key = key;
  }
  return *cached;
}

std::shared_ptr<Sequential> fresh_model(const ExperimentConfig& c, const LoadedData& data) {
  Rng rng(c.seed);
  return build_model(c.model.layers, data.input_shape, c.model.init, rng);
}

bool uses_pretraining(const ExperimentConfig& c) {
  return c.prune && c.prune->schedule.kind != ScheduleKind::at_init;
}

long lottery_rewind_step(const ExperimentConfig& c) {
  return c.prune && c.prune->schedule.kind == ScheduleKind::lottery ? c.prune->schedule.rewind_step
                                                                     : 0;
}

void write_layer_sparsity(const std::string& path, const SparsityReport& report) {
  CsvTable t;
  t.header = {"layer", "params", "nonzero", "sparsity", "units", "units_alive"};
  for (const LayerSparsity& l : report.layers)
    t.rows.push_back({l.name, std::to_string(l.params), std::to_string(l.nonzero),
                      fixed(l.sparsity(), 6), std::to_string(l.units),
                      std::to_string(l.units_alive)});
  write_csv_file(path, t);
}

double metadata_number(const Checkpoint& c, const std::string& key, const std::string& path) {
  auto it = c.metadata.find(key);
  try {
    if (it != c.metadata.end()) return std::stod(it->second);
  } catch (const std::exception&) {
  }
  throw CheckpointError(path + ": metadata '" + key + "' is missing or not a number");
}

// What the run is, in every row (ok or failed); dense baselines get "none", so they sit in
// the same table as the pruned runs.
RunRow settings_columns(const ExperimentConfig& c) {
  const PruneSettings* p = c.prune ? &*c.prune : nullptr;
  return {{"seed", std::to_string(c.seed)},
          {"schedule", p ? schedule_kind_name(p->schedule.kind) : "dense"},
          {"criterion", p ? p->criterion : "none"},
          {"granularity", p ? granularity_name(p->granularity.kind) : "none"},
          {"scope", p ? scope_name(p->scope) : "none"},
          {"target_sparsity", fixed(p ? p->sparsity : 0.0, 6)}};
}

// The inference paths of the final model (infer/measure.h): latency at each batch size and
// size of the dense, sparse and compacted forms, plus what compaction kept.
void measure_paths(Sequential& model, const Shape& input_shape,
                   const InferenceMeasureSettings& settings, RunRow& row,
                   Progress& progress) {
  const InferenceMeasurement m = measure_inference(model, input_shape, settings);
  for (const NamedValue& v : m.values)
    row.push_back({v.name, fixed(v.value, v.name[0] == 'b' ? 0 : 2)});  // bytes: integers
  row.push_back({"latency_threads", std::to_string(m.threads)});
  for (const std::string& log : m.layer_log) progress.message("kernels " + log);
  const CompactResult compact = compact_model(model, input_shape);
  if (compact.model) {
    row.push_back({"compact_params", std::to_string(compact.model->parameter_count())});
    row.push_back({"compact_macs", std::to_string(compact.model->macs(input_shape))});
  } else {
    progress.message("not compacted: " + compact.reason);
  }
}

}  // namespace

std::string pretrain_key(const ExperimentConfig& c, const YAML::Node& document) {
  if (!uses_pretraining(c)) return "";
  // The sections that decide the dense model, as resolved text (sweep values included).
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const char* section : {"dataset", "model", "train"}) {
    const YAML::Node& doc = document;
    if (doc[section]) out << YAML::Key << section << YAML::Value << doc[section];
  }
  out << YAML::Key << "seed" << YAML::Value << c.seed;
  out << YAML::Key << "rewind_step" << YAML::Value << lottery_rewind_step(c);
  out << YAML::EndMap;
  return out.c_str();
}

void pretrain(const ExperimentConfig& c, const std::string& dir, Progress& progress) {
  const std::string dense_path = dir + "/dense.ckpt";
  if (file_exists(dense_path)) return;
  std::remove((dir + "/metrics.jsonl").c_str());  // an interrupted attempt's epochs
  set_blas_threads(c.threads);
  const LoadedData& data = cached_data(c.dataset, c.seed);
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
  progress.message("pretraining the dense model");
  const FitResult fit_result = fit(*model, data.splits, data.norm, c.train, c.seed, "dense", hooks,
                                   &progress);
  Checkpoint dense = model_to_checkpoint(*model);
  dense.metadata["best_epoch"] = std::to_string(fit_result.best_epoch);
  dense.metadata["val_acc"] = fixed(fit_result.best_val_acc, 6);
  dense.metadata["test_acc"] =
      fixed(evaluate(*model, data.splits.test, data.norm, c.train.eval_batch_size).accuracy, 6);
  dense.metadata["seconds"] = fixed(seconds_since(start), 1);
  save_checkpoint(dense_path, dense);  // last: its presence means the pretraining is done
}

namespace {

RunRow run_point_or_throw(const ExperimentConfig& c, const std::string& run_dir,
                          const std::string& pretrain_dir, Progress& progress) {
  const auto start = Clock::now();
  set_blas_threads(c.threads);
  const LoadedData& data = cached_data(c.dataset, c.seed);
  auto model = fresh_model(c, data);
  const std::string metrics_path = run_dir + "/metrics.jsonl";
  auto log_epoch = [&](const EpochMetrics& m) { append_line_durably(metrics_path, to_json(m)); };

  RunRow row = settings_columns(c);
  double acc_dense = NAN, acc_pruned = NAN;
  double pretrain_seconds = 0.0;
  if (!pretrain_dir.empty()) {
    const std::string dense_path = pretrain_dir + "/dense.ckpt";
    const Checkpoint dense = load_checkpoint(dense_path);
    load_model_checkpoint(*model, dense, dense_path);
    acc_dense = metadata_number(dense, "test_acc", dense_path);
    pretrain_seconds = metadata_number(dense, "seconds", dense_path);
  }

  if (!c.prune) {  // a dense run: training is the whole run
    TrainHooks train_hooks;
    train_hooks.on_epoch_end = log_epoch;
    const FitResult r = fit(*model, data.splits, data.norm, c.train, c.seed, "train", train_hooks,
                            &progress);
    acc_dense = evaluate(*model, data.splits.test, data.norm, c.train.eval_batch_size).accuracy;
    row.push_back({"best_epoch", std::to_string(r.best_epoch)});
  } else {
    const PruneSettings& p = *c.prune;
    ScheduleHooks hooks = trainer_hooks(data.splits, data.norm, c.train, c.seed, log_epoch, &progress);
    std::unique_ptr<WeightSnapshot> rewind;
    if (p.schedule.kind == ScheduleKind::lottery) {
      auto reference = fresh_model(c, data);
      const std::string path = pretrain_dir + (p.schedule.rewind_step > 0 ? "/rewind.ckpt" : "/init.ckpt");
      load_model_checkpoint(*reference, load_checkpoint(path), path);
      rewind = std::make_unique<WeightSnapshot>(WeightSnapshot::capture(*reference));
    }
    CsvTable rounds;
    rounds.header = {"round", "target", "sparsity", "units_removed", "val_pruned", "test_pruned",
                     "val_trained", "test_trained"};
    const ScheduleResult result = run_schedule(
        *model, p, hooks, rewind.get(), [&](const RoundRecord& r) {
          rounds.rows.push_back({std::to_string(r.round), fixed(r.target, 6),
                                 fixed(r.report.sparsity(), 6), fixed(r.report.units_removed(), 6),
                                 fixed(r.pruned.val), fixed(r.pruned.test), fixed(r.trained.val),
                                 fixed(r.trained.test)});
          write_csv_file(run_dir + "/rounds.csv", rounds);
          progress.message(fmt::format("round {}: sparsity {:.4f}, val {:.2f}% -> {:.2f}%", r.round,
                                       r.report.sparsity(), 100 * r.pruned.val,
                                       100 * r.trained.val));
        });
    acc_pruned = result.pruned.test;
    if (!result.rounds.empty()) {
      const RoundRecord& last = result.rounds.back();
      row.push_back({"units_removed", fixed(last.report.units_removed(), 6)});
    }
  }

  const SparsityReport report = sparsity_report(*model);
  write_layer_sparsity(run_dir + "/layer_sparsity.csv", report);
  save_checkpoint(run_dir + "/final.ckpt", model_to_checkpoint(*model));
  const ModelCost cost = model_cost(*model, data.input_shape);
  const EvalResult test = evaluate(*model, data.splits.test, data.norm, c.train.eval_batch_size);
  const EvalResult val = evaluate(*model, data.splits.val, data.norm, c.train.eval_batch_size);
  if (c.latency) measure_paths(*model, data.input_shape, *c.latency, row, progress);
  row.insert(row.end(),
             {{"sparsity", fixed(report.sparsity(), 6)},
              {"params", std::to_string(cost.params)},
              {"nonzero_params", std::to_string(cost.nonzero_params)},
              {"macs", std::to_string(cost.macs)},
              {"effective_macs", std::to_string(cost.effective_macs)},
              {"acc_dense", fixed(acc_dense)},
              {"acc_pruned", fixed(acc_pruned)},
              {"acc", fixed(test.accuracy)},
              {"val_acc", fixed(val.accuracy)},
              {"pretrain_seconds", fixed(pretrain_seconds, 1)},
              {"train_seconds", fixed(seconds_since(start), 1)},
              {"status", "ok"}});
  return row;
}

}  // namespace

RunRow run_point(const ExperimentConfig& c, const std::string& run_dir,
                 const std::string& pretrain_dir, Progress& progress) {
  try {
    return run_point_or_throw(c, run_dir, pretrain_dir, progress);
  } catch (const TrainingDiverged& e) {
    // The sweep goes on; the row keeps the run's settings so it is found in runs.csv.
    RunRow row = settings_columns(c);
    row.insert(row.end(), {{"status", "failed"}, {"reason", e.what()}});
    return row;
  }
}

}  // namespace poda
