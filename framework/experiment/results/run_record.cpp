#include "experiment/results/run_record.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace poda {

namespace {

constexpr ColumnType text = ColumnType::text;
constexpr ColumnType count = ColumnType::count;
constexpr ColumnType real = ColumnType::real;
constexpr bool required = true, optional = false;
constexpr bool setting = true, measured = false;

bool parse_number(const std::string& cell, double& out) {
  if (cell == "nan" || cell == "NaN") {
    out = std::nan("");
    return true;
  }
  // Counts are read as any number: older tools wrote some as "133305.000000".
  char* end = nullptr;
  out = std::strtod(cell.c_str(), &end);
  return !cell.empty() && end == cell.c_str() + cell.size();
}

// A sweep value emitted in flow style ("{kind: channel, ...}", "[1, 2]") is not one scalar.
bool is_scalar_text(const std::string& value) {
  return value.empty() || (value.front() != '{' && value.front() != '[');
}

// The columns after the final model's accuracy: budget, quantization, times and status.
std::vector<RunColumn> later_columns() {
  // clang-format off
  return {
      {"budget_kind", text, 0, optional, setting, {}, "prune.budget: latency_b<B>_us, speedup_b<B>, macs or bytes"},
      {"budget", real, 6, optional, setting,
       {"prune.budget.latency_b1_us", "prune.budget.latency_b64_us", "prune.budget.speedup", "prune.budget.macs", "prune.budget.bytes"},
       "the budget's value (µs per batch, times faster, MACs per sample, bytes)"},
      {"budget_strategy", text, 0, optional, setting, {"prune.budget.strategy"}, "the search (poda list budgets), or a baseline"},
      {"budget_achieved", real, 4, optional, measured, {}, "the final model measured again in a fresh plan, same unit"},
      {"budget_met", text, 0, optional, measured, {}, "true or false"},
      {"budget_table", text, 0, optional, measured, {}, "the search's cost table: measured, or reused from budget_tables/"},
      {"search_seconds", real, 1, optional, measured, {}, "time of the budget searches (the strategy's and its baseline candidates')"},
      {"budget_format", text, 0, optional, measured, {}, "a bytes budget with quantize: the value format stored, fp32 or the scheme"},
      {"budget_choice", text, 0, optional, measured, {}, "the candidate kept: the search's own answer or a baseline's (best validation accuracy after the same fine-tune)"},
      {"budget_candidates", text, 0, optional, measured, {}, "every candidate: validation and test accuracy after its fine-tune, measured budget"},
      {"acc", real, 4, required, measured, {}, "final test accuracy"},
      {"val_acc", real, 4, required, measured, {}, "final validation accuracy"},
      {"quant_kind", text, 0, optional, setting, {"quantize.kind"}, "quantize: the scheme, e.g. int8 or kmeans (empty: fp32)"},
      {"quant_mode", text, 0, optional, setting, {"quantize.mode"}, "int8: post_training or aware"},
      {"bits", text, 0, optional, setting, {}, "bits per weight (k-means: conv/dense when they differ)"},
      {"acc_quant", real, 4, optional, measured, {}, "test accuracy of the quantized model"},
      {"acc_quant_before_finetune", real, 4, optional, measured, {}, "the same before its fine-tuning (k-means, int8 aware)"},
      {"bytes_quant", count, 0, optional, measured, {}, "stored size: relative indices, codes, codebooks or scales, biases"},
      {"compression_ratio", real, 2, optional, measured, {}, "dense fp32 bytes / bytes_quant"},
      {"latency_b<B>_us_int8", real, 2, optional, measured, {}, "median µs per batch, int8 kernels (quantize runs)"},
      {"pretrain_seconds", real, 1, optional, measured, {}, "time of the shared pretraining"},
      {"train_seconds", real, 1, required, measured, {}, "time of this run"},
      {"finetune_seconds", real, 1, optional, measured, {}, "pruned runs: time of all fine-tuning phases"},
      {"finetune_phase_seconds", text, 0, optional, measured, {}, "the time of each fine-tuning phase, in order, space-separated"},
      {"status", text, 0, required, measured, {},
       "ok, failed, or disconnected (a prunable layer has no weight left)"},
      {"reason", text, 0, optional, measured, {}, "why a run failed or is disconnected"},
  };
  // clang-format on
}

}  // namespace

// One line per column: name, type, digits, required, groups runs, swept keys it records,
// meaning.
const std::vector<RunColumn>& run_columns() {
  // clang-format off
  static const std::vector<RunColumn> columns = [] {
   std::vector<RunColumn> first = {
      {"run_id", text, 0, required, measured, {}, "the run's folder name under runs/"},
      {"seed", count, 0, required, measured, {"seed"}, "the experiment's seed (averaged over)"},
      {"schedule", text, 0, required, setting, {"prune.schedule", "prune.schedule.kind"},
       "pruning schedule, or dense"},
      {"criterion", text, 0, required, setting, {"prune.criterion"}, "criterion, or none"},
      {"granularity", text, 0, required, setting, {"prune.granularity", "prune.granularity.kind"},
       "granularity, or none"},
      {"scope", text, 0, required, setting, {"prune.scope"}, "layer or global, or none"},
      {"target_sparsity", real, 6, required, setting, {"prune.sparsity"}, "the asked sparsity"},
      {"best_epoch", count, 0, optional, measured, {}, "dense runs: epoch chosen on validation"},
      {"units_removed", real, 6, optional, measured, {},
       "fraction of output units removed (weights, bias, BatchNorm all masked; classes not counted)"},
      {"compact_params", count, 0, optional, measured, {}, "parameters after compaction"},
      {"compact_macs", count, 0, optional, measured, {}, "MACs per sample after compaction"},
      // <B>: one column per batch size of measure.latency_batch_sizes (infer/measure.h).
      {"latency_b<B>_us_dense", real, 2, optional, measured, {}, "median µs per batch, dense kernels, masks folded"},
      {"latency_b<B>_us_sparse", real, 2, optional, measured, {}, "the same, each layer on its faster kernel"},
      {"latency_b<B>_us_compact", real, 2, optional, measured, {}, "the same, dead units cut out"},
      {"latency_b<B>_p90_us_dense", real, 2, optional, measured, {}, "90th percentile, dense"},
      {"latency_b<B>_p90_us_sparse", real, 2, optional, measured, {}, "90th percentile, sparse"},
      {"latency_b<B>_p90_us_compact", real, 2, optional, measured, {}, "90th percentile, compacted"},
      {"bytes_dense", count, 0, optional, measured, {}, "fp32 weights and biases"},
      {"bytes_sparse", count, 0, optional, measured, {}, "values and indices as the sparse kernels store them"},
      {"bytes_compact", count, 0, optional, measured, {}, "fp32 weights of the compacted model"},
      {"latency_threads", count, 0, optional, measured, {}, "threads the latencies were measured with"},
      {"sparsity", real, 6, required, measured, {}, "achieved, over prunable weights"},
      {"params", count, 0, required, measured, {}, "parameters"},
      {"nonzero_params", count, 0, required, measured, {}, "parameters that are not zero"},
      {"macs", count, 0, required, measured, {}, "MACs per sample, dense"},
      {"effective_macs", count, 0, required, measured, {}, "MACs of surviving weights only"},
      {"acc_dense", real, 4, required, measured, {}, "test accuracy of the dense model"},
      {"acc_pruned", real, 4, required, measured, {},
       "right after the first pruning step (lottery: the rewound ticket; gradual: first mask update)"},
      {"acc_before_finetune", real, 4, optional, measured, {},
       "right after the final pruning step, before its fine-tuning"},
      {"bn_recalibration", count, 0, optional, measured, {}, "BatchNorm re-estimation batches"},
  };
  const std::vector<RunColumn> later = later_columns();
  first.insert(first.end(), later.begin(), later.end());
  return first;
  }();
  // clang-format on
  return columns;
}

bool matches_column(const RunColumn& c, const std::string& name) {
  const std::string pattern = c.name;
  const std::size_t at = pattern.find("<B>");
  if (at == std::string::npos) return name == pattern;
  const std::string head = pattern.substr(0, at), tail = pattern.substr(at + 3);
  if (name.size() <= head.size() + tail.size() || name.compare(0, head.size(), head) != 0 ||
      name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  const std::string digits = name.substr(head.size(), name.size() - head.size() - tail.size());
  return digits.find_first_not_of("0123456789") == std::string::npos;
}

const RunColumn* find_run_column(const std::string& name) {
  for (const RunColumn& c : run_columns())
    if (matches_column(c, name)) return &c;
  return nullptr;
}

namespace {

const RunColumn* column_recording(const std::string& path) {
  for (const RunColumn& c : run_columns())
    for (const char* p : c.config_paths)
      if (path == p) return &c;
  return nullptr;
}

}  // namespace

std::string swept_column(const std::string& path, const std::string& value_text) {
  const RunColumn* fixed = column_recording(path);
  return fixed && is_scalar_text(value_text) ? fixed->name : kSweptPrefix + path;
}

std::optional<std::string> swept_path(const std::string& column) {
  const std::string prefix = kSweptPrefix;
  if (column.compare(0, prefix.size(), prefix) == 0) return column.substr(prefix.size());
  const bool old_style = column.find('.') != std::string::npos && !find_run_column(column);
  if (old_style && !column_recording(column)) return column;
  return std::nullopt;
}

const RunColumn& RunRecord::column_or_throw(const std::string& column, ColumnType expected) {
  const RunColumn* c = find_run_column(column);
  if (!c)
    throw std::logic_error("runs.csv has no column '" + column + "' (results/run_record.cpp)");
  if (c->type != expected)
    throw std::logic_error("runs.csv column '" + column + "' set with a value of the wrong type");
  return *c;
}

void RunRecord::set(const std::string& column, const std::string& value) {
  column_or_throw(column, ColumnType::text);
  cells_[column] = value;
}

void RunRecord::set(const std::string& column, double value) {
  const RunColumn& c = column_or_throw(column, ColumnType::real);
  cells_[column] = std::isfinite(value) ? fmt::format("{:.{}f}", value, c.digits) : "";
  if (std::isfinite(value)) parse_number(cells_[column], numbers_[column]);
}

void RunRecord::set(const std::string& column, std::int64_t value) {
  column_or_throw(column, ColumnType::count);
  cells_[column] = std::to_string(value);
  numbers_[column] = static_cast<double>(value);
}

RunRow RunRecord::row() const {
  RunRow row;
  for (const RunColumn& c : run_columns()) {
    std::vector<std::pair<std::string, std::string>> cells;  // a <B> column: one per batch size
    for (const auto& [name, value] : cells_)
      if (matches_column(c, name)) cells.emplace_back(name, value);
    std::stable_sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) {
      return a.first.size() < b.first.size();  // same pattern: shorter number = smaller batch
    });
    row.insert(row.end(), cells.begin(), cells.end());
  }
  for (const auto& [path, value] : swept_) row.emplace_back(kSweptPrefix + path, value);
  return order_run_row(row);
}

RunRecord RunRecord::from_csv(const CsvTable& table, std::size_t row) {
  RunRecord record;
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    const std::string& name = table.header[i];
    const std::string& cell = table.rows.at(row)[i];
    if (auto path = swept_path(name)) {
      record.swept_.emplace_back(*path, cell);
      continue;
    }
    const RunColumn* c = find_run_column(name);
    if (!c) continue;
    record.cells_[name] = cell;
    if (c->type == ColumnType::text || cell.empty()) continue;
    if (!parse_number(cell, record.numbers_[name]))
      throw std::invalid_argument("column '" + name + "' is '" + cell + "', expected a number");
  }
  return record;
}

std::optional<std::string> RunRecord::text(const std::string& column) const {
  auto it = cells_.find(column);
  if (it == cells_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> RunRecord::number(const std::string& column) const {
  auto it = numbers_.find(column);
  if (it == numbers_.end()) return std::nullopt;
  return it->second;
}

RunRow order_run_row(const RunRow& row) {
  RunRow out;
  std::set<std::size_t> taken;
  auto take = [&](auto&& wanted) {
    for (std::size_t i = 0; i < row.size(); ++i)
      if (!taken.count(i) && wanted(row[i].first)) {
        out.push_back(row[i]);
        taken.insert(i);
      }
  };
  take([](const std::string& name) { return name == "run_id"; });
  take([](const std::string& name) { return swept_path(name).has_value(); });
  for (const RunColumn& c : run_columns())
    take([&](const std::string& name) { return matches_column(c, name); });
  take([](const std::string&) { return true; });
  return out;
}

}  // namespace poda
