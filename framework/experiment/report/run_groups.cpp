#include "experiment/report/run_groups.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace poda {
namespace {

bool parse_double(const std::string& cell, double& out) {
  if (cell.empty()) return false;
  char* end = nullptr;
  out = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const std::vector<std::string>& required_run_columns() {
  static const std::vector<std::string> columns = {
      "run_id", "seed", "criterion", "granularity", "scope", "schedule", "target_sparsity", "sparsity", "params",
      "nonzero_params", "macs", "effective_macs", "acc_dense", "acc_pruned", "acc", "val_acc", "train_seconds", "status"};
  return columns;
}

Stat stat_of(const std::vector<double>& values) {
  Stat s;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      sum += v;
      ++s.n;
    }
  if (s.n == 0) {
    s.mean = s.std = std::nan("");
    return s;
  }
  s.mean = sum / static_cast<double>(s.n);
  double sq = 0;
  for (double v : values)
    if (std::isfinite(v)) sq += (v - s.mean) * (v - s.mean);
  s.std = s.n > 1 ? std::sqrt(sq / static_cast<double>(s.n - 1)) : 0.0;
  return s;
}

double RunTable::number(const Run& run, const std::string& column) const {
  auto col = find_column(csv, column);
  if (!col) throw ReportError(source + ": missing column '" + column + "'");
  const std::string& cell = csv.rows[run.row][*col];
  double v = 0;
  if (cell.empty() || cell == "nan" || cell == "NaN") return std::nan("");
  if (!parse_double(cell, v))
    throw ReportError(source + ": run '" + run.run_id + "': column '" + column + "' is '" + cell + "', expected a number");
  return v;
}

RunTable load_run_table(const std::string& path) {
  RunTable t;
  t.source = path;
  try {
    t.csv = read_csv_file(path);
    require_column(t.csv, "run_id", path);
    require_column(t.csv, "status", path);
  } catch (const CsvError& e) {
    throw ReportError(e.what());
  }
  // A run that failed early has only run_id, status and reason: when only such runs are
  // there, the columns they lack are added empty; an ok run must have them all.
  const std::size_t status_col = *find_column(t.csv, "status");
  bool any_ok = false;
  for (const auto& row : t.csv.rows) any_ok = any_ok || row[status_col] == "ok";
  for (const auto& c : required_run_columns()) {
    if (find_column(t.csv, c)) continue;
    if (any_ok) throw ReportError(path + ": missing column '" + c + "'");
    t.csv.header.push_back(c);
    for (auto& row : t.csv.rows) row.push_back("");
  }
  auto col = [&](const std::string& name) { return *find_column(t.csv, name); };
  const std::size_t target_col = col("target_sparsity");

  std::vector<double> targets(t.csv.rows.size());
  std::set<std::string> ids;
  for (std::size_t r = 0; r < t.csv.rows.size(); ++r) {
    const auto& row = t.csv.rows[r];
    // Empty for a run that failed before its settings were known.
    if (row[status_col] != "ok" && row[target_col].empty())
      targets[r] = NAN;
    else if (!parse_double(row[target_col], targets[r]))
      throw ReportError(path + ": run '" + row[col("run_id")] + "': target_sparsity is '" + row[target_col] + "', expected a number");
    if (!ids.insert(row[col("run_id")]).second)
      throw ReportError(path + ": run_id '" + row[col("run_id")] + "' appears twice");
  }

  // Swept keys are the dotted config paths; a seed is what we average over, and a
  // column that always equals a standard one (prune.sparsity = target_sparsity,
  // prune.schedule.kind = schedule, ...) would only repeat it.
  t.setting_columns = {"schedule", "granularity", "criterion", "scope", "target_sparsity"};
  const std::vector<std::string> standard = t.setting_columns;
  auto repeats = [&](std::size_t c, const std::string& other) {
    const std::size_t o = col(other);
    for (std::size_t r = 0; r < t.csv.rows.size(); ++r) {
      const std::string& a = t.csv.rows[r][c];
      const std::string& b = t.csv.rows[r][o];
      double va = 0, vb = 0;
      const bool same = a == b || (parse_double(a, va) && parse_double(b, vb) && va == vb);
      if (!same) return false;
    }
    return !t.csv.rows.empty();
  };
  for (std::size_t c = 0; c < t.csv.header.size(); ++c) {
    const std::string& name = t.csv.header[c];
    if (name.find('.') == std::string::npos || ends_with(name, ".seed")) continue;
    bool alias = false;
    for (const std::string& other : standard) alias = alias || repeats(c, other);
    if (!alias) t.setting_columns.push_back(name);
  }
  for (const auto& name : t.setting_columns) {
    std::set<std::string> distinct;
    for (const auto& row : t.csv.rows) distinct.insert(row[col(name)]);
    if (distinct.size() > 1) t.varying_setting_columns.push_back(name);
  }

  const bool has_reason = find_column(t.csv, "reason").has_value();
  const bool has_error = find_column(t.csv, "error").has_value();
  std::map<std::vector<std::string>, std::size_t> setting_index;
  for (std::size_t r = 0; r < t.csv.rows.size(); ++r) {
    const auto& row = t.csv.rows[r];
    Run run;
    run.row = r;
    run.run_id = row[col("run_id")];
    run.status = row[col("status")];
    run.ok = run.status == "ok";
    if (has_reason) run.reason = row[col("reason")];
    if (run.reason.empty() && has_error) run.reason = row[col("error")];
    std::vector<std::string> key;
    for (const auto& name : t.setting_columns) key.push_back(row[col(name)]);
    auto [it, inserted] = setting_index.emplace(key, t.settings.size());
    if (inserted) {
      Setting s;
      s.values = key;
      s.target_sparsity = targets[r];
      // The label always names schedule, granularity and criterion, then whatever
      // else varies between lines (scope, swept keys).
      s.series_label = row[col("schedule")] + " / " + row[col("granularity")] + " / " + row[col("criterion")];
      for (const auto& name : t.varying_setting_columns)
        if (name != "schedule" && name != "granularity" && name != "criterion" && name != "target_sparsity")
          s.series_label += " / " + name + "=" + row[col(name)];
      t.settings.push_back(std::move(s));
    }
    run.setting = it->second;
    t.settings[run.setting].runs.push_back(t.runs.size());
    t.runs.push_back(std::move(run));
  }

  // Sort settings (label, target) and remap the runs' indices.
  std::vector<std::size_t> order(t.settings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& sa = t.settings[a];
    const auto& sb = t.settings[b];
    if (sa.series_label != sb.series_label) return sa.series_label < sb.series_label;
    const bool na = std::isnan(sa.target_sparsity), nb = std::isnan(sb.target_sparsity);
    if (na != nb) return na;  // NaN compares false both ways and would break the ordering
    return sa.target_sparsity < sb.target_sparsity;
  });
  std::vector<Setting> sorted;
  std::vector<std::size_t> new_index(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    new_index[order[i]] = i;
    sorted.push_back(std::move(t.settings[order[i]]));
  }
  t.settings = std::move(sorted);
  for (auto& run : t.runs) run.setting = new_index[run.setting];
  for (const auto& s : t.settings)
    if (t.series_labels.empty() || t.series_labels.back() != s.series_label) t.series_labels.push_back(s.series_label);
  return t;
}

}  // namespace poda
