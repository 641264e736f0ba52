#include "experiment/report/round_curves.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "experiment/report/markdown_cells.h"

namespace poda {
namespace {

namespace fs = std::filesystem;

// The values of one setting's runs, per round (0 = the dense model).
struct RoundValues {
  std::map<int, std::vector<double>> remaining, accuracy;
};

double cell_number(const CsvTable& t, std::size_t row, std::size_t column,
                   const std::string& path) {
  const std::string& s = t.rows[row][column];
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size())
    throw CsvError(path + ": row " + std::to_string(row + 1) + ": '" + t.header[column] + "' is '" +
                   s + "', expected a number");
  return v;
}

// Adds one run's rounds.csv; false (with a warning) when it cannot be read.
bool add_run(const std::string& path, RoundValues& values, std::vector<std::string>& warnings) {
  try {
    const CsvTable rounds = read_csv_file(path);
    const std::size_t rc = require_column(rounds, "round", path);
    const std::size_t sc = require_column(rounds, "sparsity", path);
    const std::size_t ac = require_column(rounds, "test_trained", path);
    for (std::size_t r = 0; r < rounds.rows.size(); ++r) {
      const int round = static_cast<int>(cell_number(rounds, r, rc, path));
      values.remaining[round].push_back(1.0 - cell_number(rounds, r, sc, path));
      values.accuracy[round].push_back(cell_number(rounds, r, ac, path));
    }
    return true;
  } catch (const std::exception& e) {
    warnings.push_back(e.what());
    return false;
  }
}

// The curve of one setting, or nothing when its runs have fewer than two rounds.
void add_setting(const RunTable& t, const Setting& s, const std::string& label,
                 const std::string& dir, RoundCurves& out) {
  RoundValues values;
  for (std::size_t i : s.runs) {
    const Run& run = t.runs[i];
    if (!run.ok) continue;
    const fs::path path = fs::path(dir) / "runs" / run.run_id / "rounds.csv";
    if (!fs::exists(path) || !add_run(path.string(), values, out.warnings)) continue;
    values.remaining[0].push_back(1.0);
    values.accuracy[0].push_back(t.number(run, "acc_dense"));
  }
  if (values.accuracy.size() < 3) return;  // round 0 and at least two pruning rounds
  Series line;
  line.label = label;
  for (const auto& [round, accuracies] : values.accuracy) {
    const Stat x = stat_of(values.remaining[round]), y = stat_of(accuracies);
    if (y.n == 0) continue;
    line.x.push_back(x.mean);
    line.y.push_back(y.mean);
    line.y_err.push_back(y.std);
    char remaining[32];
    std::snprintf(remaining, sizeof(remaining), "%.4f", x.mean);
    out.table_markdown += "| " + label + " | " + std::to_string(round) + " | " + remaining + " | " +
                          mean_std(y, 4) + " | " + std::to_string(y.n) + " |\n";
  }
  out.plot.series.push_back(std::move(line));
}

// The setting by what varies in the sweep besides the target ("prune.schedule.random_reinit=
// true"), shorter than its series label, which names the constant settings too.
std::string curve_label(const RunTable& t, const Setting& s) {
  std::string label;
  for (std::size_t i = 0; i < t.setting_columns.size(); ++i) {
    const std::string& c = t.setting_columns[i];
    if (c == "target_sparsity" ||
        std::find(t.varying_setting_columns.begin(), t.varying_setting_columns.end(), c) ==
            t.varying_setting_columns.end())
      continue;
    label += (label.empty() ? "" : ", ") + setting_label(c) + "=" + s.values[i];
  }
  return label.empty() ? s.series_label : label;
}

}  // namespace

RoundCurves round_curves(const RunTable& t, const std::string& results_dir) {
  RoundCurves out;
  std::map<std::string, int> settings_per_series;
  for (const auto& s : t.settings) ++settings_per_series[s.series_label];
  for (const auto& s : t.settings) {
    std::string label = curve_label(t, s);
    if (settings_per_series[s.series_label] > 1) {
      char target[32];
      std::snprintf(target, sizeof(target), " @ %.2f", s.target_sparsity);
      label += target;
    }
    add_setting(t, s, label, results_dir, out);
  }
  if (out.plot.series.empty()) return out;
  out.plot.title = "Test accuracy after each round vs remaining weights (mean ± std over seeds)";
  out.plot.x_label = "remaining fraction of prunable weights (log scale; 1 = dense, round 0)";
  out.plot.y_label = "test accuracy";
  out.plot.log_x = true;
  out.table_markdown =
      "| curve | round | remaining weights | test accuracy | n |\n|---|---|---|---|---|\n" +
      out.table_markdown;
  return out;
}

}  // namespace poda
