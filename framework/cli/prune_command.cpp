#include "cli/prune_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "cli/commands.h"
#include "cli/export_command.h"
#include "experiment/io/atomic_file.h"
#include "experiment/io/yaml_reader.h"
#include "experiment/results/results_store.h"

namespace poda {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

std::string experiment_name(const PruneOptions& o) {
  std::string stem = fs::path(o.model).stem().string();
  for (char& ch : stem)
    if (ch == ' ' || ch == '/' || ch == '\\') ch = '_';
  return "prune_" + (stem.empty() || stem[0] == '.' ? std::string("model") : stem);
}

// The figures of the run's result row (runs.csv), by column; NaN when absent.
struct ResultRow {
  CsvTable table;
  double operator()(const std::string& column) const {
    const auto c = find_column(table, column);
    if (!c || table.rows.empty() || table.rows[0][*c].empty()) return NAN;
    return std::stod(table.rows[0][*c]);
  }
};

void print_figures(const ResultRow& r, bool compact) {
  const double after_params = compact ? r("compact_params") : r("nonzero_params");
  const double after_macs = compact ? r("compact_macs") : r("effective_macs");
  const double after_latency =
      compact ? r("latency_b1_us_compact")
              : std::fmin(r("latency_b1_us_sparse"), r("latency_b1_us_compact"));
  std::printf("\n%-28s %14s %14s\n", "", "before", "after");
  std::printf("%-28s %14.4f %14.4f\n", "test accuracy", r("acc_dense"), r("acc"));
  std::printf("%-28s %14.0f %14.0f\n", compact ? "parameters" : "parameters (non-zero)",
              r("params"), after_params);
  std::printf("%-28s %14.0f %14.0f\n", compact ? "MACs per sample" : "MACs per sample (non-zero)",
              r("macs"), after_macs);
  std::printf("%-28s %14.1f %14.1f\n", "latency, batch 1 (us)", r("latency_b1_us_dense"),
              after_latency);
}

// The run's final model as OUT: a checkpoint as it is, or exported as ONNX (compacted or not).
int write_output(const PruneOptions& o, const std::string& final_ckpt) {
  if (ends_with(o.out, ".ckpt")) {
    write_file_atomically(o.out, read_file(final_ckpt));
    std::printf("poda prune: %s -> %s\n", o.model.c_str(), o.out.c_str());
    return kExitOk;
  }
  ExportOptions e;
  e.checkpoint = final_ckpt;
  e.out = o.out;
  e.compact = o.compact;
  return command_export(e);
}

}  // namespace

std::string prune_experiment_yaml(const PruneOptions& o) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "name" << YAML::Value << experiment_name(o);
  y << YAML::Key << "seed" << YAML::Value << o.seed;
  y << YAML::Key << "dataset" << YAML::Value << YAML::Flow << YAML::BeginMap;
  y << YAML::Key << "name" << YAML::Value << o.dataset;
  if (!o.dataset_path.empty()) y << YAML::Key << "path" << YAML::Value << o.dataset_path;
  y << YAML::EndMap;
  y << YAML::Key << "model" << YAML::Value << YAML::Flow << YAML::BeginMap;
  y << YAML::Key << (ends_with(o.model, ".onnx") ? "onnx" : "checkpoint") << YAML::Value
    << YAML::DoubleQuoted << o.model << YAML::EndMap;
  y << YAML::Key << "train" << YAML::Value << YAML::Flow << YAML::BeginMap;
  y << YAML::Key << "lr" << YAML::Value << o.lr << YAML::EndMap;
  y << YAML::Key << "prune" << YAML::Value << YAML::Flow << YAML::BeginMap;
  y << YAML::Key << "criterion" << YAML::Value << o.criterion;
  y << YAML::Key << "granularity" << YAML::Value << o.granularity;
  y << YAML::Key << "scope" << YAML::Value << o.scope;
  y << YAML::Key << "sparsity" << YAML::Value << o.sparsity;
  y << YAML::Key << "schedule" << YAML::Value << "one_shot";
  y << YAML::Key << "finetune_epochs" << YAML::Value << o.finetune_epochs;
  y << YAML::Key << "finetune_lr_scale" << YAML::Value << 1;
  y << YAML::EndMap;
  y << YAML::Key << "measure" << YAML::Value << YAML::Flow << YAML::BeginMap;
  y << YAML::Key << "latency" << YAML::Value << true;
  y << YAML::Key << "latency_batch_sizes" << YAML::Value << YAML::Flow << YAML::BeginSeq << 1
    << YAML::EndSeq;
  y << YAML::Key << "latency_seconds" << YAML::Value << 0.3;
  y << YAML::EndMap;
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

int command_prune(const PruneOptions& o) {
  if (!ends_with(o.out, ".onnx") && !ends_with(o.out, ".ckpt"))
    throw ConfigError("-o " + o.out + ": the output must end in .onnx or .ckpt");
  if (o.compact && !ends_with(o.out, ".onnx"))
    throw ConfigError("--compact: a compacted model is written as ONNX (-o OUT.onnx)");
  const std::string name = experiment_name(o);
  const ResultsStore store(o.results_root, name);
  fs::create_directories(store.dir());
  const std::string config = store.dir() + "/" + name + ".yaml";
  write_file_atomically(config, prune_experiment_yaml(o));
  std::printf("poda prune: the same as `poda run %s --results %s`\n", config.c_str(),
              o.results_root.c_str());
  RunOptions run;
  run.config = config;
  run.results_root = o.results_root;
  const int code = command_run(run);
  if (code != kExitOk) return code;
  const std::vector<std::string> ids = store.finished_run_ids();
  if (ids.size() != 1) throw ConfigError(store.dir() + ": expected the one run of poda prune");
  ResultRow row{*store.read_result(ids.front())};
  print_figures(row, o.compact);
  return write_output(o, store.dir() + "/runs/" + ids.front() + "/final.ckpt");
}

}  // namespace poda
