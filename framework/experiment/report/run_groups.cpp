#include "experiment/report/run_groups.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace poda {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::size_t column_index(const CsvTable& t, const std::string& name) {
  return *find_column(t, name);
}

// A run that failed early has only run_id, status and reason: when only such runs are
// there, the columns they lack are added empty; an ok run must have them all.
CsvTable read_runs_csv(const std::string& path) {
  CsvTable t;
  try {
    t = read_csv_file(path);
    require_column(t, "run_id", path);
    require_column(t, "status", path);
  } catch (const CsvError& e) {
    throw ReportError(e.what());
  }
  const std::size_t status = column_index(t, "status");
  bool any_ok = false;
  for (const auto& row : t.rows) any_ok = any_ok || row[status] == "ok";
  for (const RunColumn& c : run_columns()) {
    if (!c.required || find_column(t, c.name)) continue;
    if (any_ok) throw ReportError(path + ": missing column '" + c.name + "'");
    t.header.push_back(c.name);
    for (auto& row : t.rows) row.push_back("");
  }
  return t;
}

std::vector<Run> read_runs(const RunTable& t) {
  std::vector<Run> runs;
  std::set<std::string> ids;
  for (std::size_t r = 0; r < t.csv.rows.size(); ++r) {
    Run run;
    run.row = r;
    run.run_id = t.csv.rows[r][column_index(t.csv, "run_id")];
    try {
      run.record = RunRecord::from_csv(t.csv, r);
    } catch (const std::invalid_argument& e) {
      throw ReportError(t.source + ": run '" + run.run_id + "': " + e.what());
    }
    if (!ids.insert(run.run_id).second)
      throw ReportError(t.source + ": run_id '" + run.run_id + "' appears twice");
    run.status = run.record.text("status").value_or("");
    run.ok = run.status == "ok";
    run.reason = run.record.text("reason").value_or("");
    runs.push_back(std::move(run));
  }
  return runs;
}

void find_setting_columns(RunTable& t) {
  // Optional grouping columns (quant_kind, ...) are only in results that set them.
  for (const RunColumn& c : run_columns())
    if (c.groups && find_column(t.csv, c.name)) t.setting_columns.push_back(c.name);
  for (const std::string& name : t.csv.header) {
    const auto path = swept_path(name);
    if (path && *path != "seed" && !ends_with(*path, ".seed")) t.setting_columns.push_back(name);
  }
  for (const auto& name : t.setting_columns) {
    std::set<std::string> distinct;
    for (const auto& row : t.csv.rows) distinct.insert(row[column_index(t.csv, name)]);
    if (distinct.size() > 1) t.varying_setting_columns.push_back(name);
  }
}

// The label always names schedule, granularity and criterion, then whatever else varies
// between lines (scope, swept keys); a budget, like a target sparsity, is a point on a line.
std::string series_label(const RunTable& t, const std::vector<std::string>& row) {
  auto cell = [&](const std::string& name) { return row[column_index(t.csv, name)]; };
  std::string label = cell("schedule") + " / " + cell("granularity") + " / " + cell("criterion");
  for (const auto& name : t.varying_setting_columns)
    if (name != "schedule" && name != "granularity" && name != "criterion" &&
        name != "target_sparsity" && name != "budget")
      label += " / " + setting_label(name) + "=" + cell(name);
  return label;
}

void group_settings(RunTable& t) {
  std::map<std::vector<std::string>, std::size_t> setting_index;
  for (std::size_t i = 0; i < t.runs.size(); ++i) {
    Run& run = t.runs[i];
    const auto& row = t.csv.rows[run.row];
    std::vector<std::string> key;
    for (const auto& name : t.setting_columns) key.push_back(row[column_index(t.csv, name)]);
    auto [it, inserted] = setting_index.emplace(key, t.settings.size());
    if (inserted) {
      Setting s;
      s.values = key;
      s.target_sparsity = run.record.number("target_sparsity").value_or(std::nan(""));
      s.series_label = series_label(t, row);
      t.settings.push_back(std::move(s));
    }
    run.setting = it->second;
    t.settings[run.setting].runs.push_back(i);
  }
}

// Settings by series label, then target sparsity; the runs' indices follow.
void sort_settings(RunTable& t) {
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
    if (t.series_labels.empty() || t.series_labels.back() != s.series_label)
      t.series_labels.push_back(s.series_label);
}

}  // namespace

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

std::string setting_label(const std::string& column) {
  return swept_path(column).value_or(column);
}

double RunTable::number(const Run& run, const std::string& column) const {
  if (!has_column(column)) throw ReportError(source + ": missing column '" + column + "'");
  return run.record.number(column).value_or(std::nan(""));
}

RunTable load_run_table(const std::string& path) {
  RunTable t;
  t.source = path;
  t.csv = read_runs_csv(path);
  t.runs = read_runs(t);
  find_setting_columns(t);
  group_settings(t);
  sort_settings(t);
  return t;
}

// A metric over a setting's ok runs.
double table_mean(const RunTable& t, const std::string& column) {
  std::vector<double> values;
  if (t.has_column(column))
    for (const Run& r : t.runs)
      if (r.ok) values.push_back(t.number(r, column));
  const Stat s = stat_of(values);
  return s.n ? s.mean : std::numeric_limits<double>::quiet_NaN();
}

Stat setting_stat(const RunTable& t, const Setting& s, const std::string& column) {
  std::vector<double> v;
  for (std::size_t i : s.runs)
    if (t.runs[i].ok) v.push_back(t.number(t.runs[i], column));
  return stat_of(v);
}

// One line per series: x = mean of x_column, y = mean ± std of y_column, per target.
std::vector<Series> series_of(const RunTable& t, const std::string& x_column,
                              const std::string& y_column) {
  std::vector<Series> out;
  for (const auto& label : t.series_labels) {
    Series line;
    line.label = label;
    for (const auto& s : t.settings) {
      if (s.series_label != label) continue;
      Stat x = setting_stat(t, s, x_column);
      Stat y = setting_stat(t, s, y_column);
      if (x.n == 0 || y.n == 0) continue;
      line.x.push_back(x.mean);
      line.y.push_back(y.mean);
      line.y_err.push_back(y.std);
    }
    if (!line.x.empty()) out.push_back(std::move(line));
  }
  for (auto& line : out) {  // lines are drawn in x order
    std::vector<std::size_t> idx(line.x.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(),
              [&](std::size_t a, std::size_t b) { return line.x[a] < line.x[b]; });
    Series sorted{line.label, {}, {}, {}};
    for (std::size_t i : idx) {
      sorted.x.push_back(line.x[i]);
      sorted.y.push_back(line.y[i]);
      sorted.y_err.push_back(line.y_err[i]);
    }
    line = std::move(sorted);
  }
  return out;
}

}  // namespace poda
