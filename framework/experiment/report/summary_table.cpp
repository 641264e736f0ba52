#include "experiment/report/summary_table.h"

#include <algorithm>

#include "experiment/report/markdown_cells.h"

namespace poda {

std::vector<std::string> latency_batches(const RunTable& t) {
  const std::string prefix = "latency_b", suffix = "_us_dense";
  std::vector<std::string> batches;
  for (const std::string& c : t.csv.header) {
    if (c.size() <= prefix.size() + suffix.size() || c.rfind(prefix, 0) != 0 ||
        c.compare(c.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string b = c.substr(prefix.size(), c.size() - prefix.size() - suffix.size());
    if (b.find('_') == std::string::npos) batches.push_back(b);  // not a p90 column
  }
  return batches;
}

const char* const inference_paths[3] = {"dense", "sparse", "compact"};

namespace {

// Structured pruning removed whole units somewhere: the table then shows how many, and
// the MACs of the compacted model.
bool has_structured_runs(const RunTable& t) {
  if (!t.has_column("units_removed")) return false;
  for (const Run& r : t.runs)
    if (r.ok && t.number(r, "units_removed") > 0) return true;
  return false;
}

}  // namespace

std::string summary_table(const RunTable& t) {
  std::vector<std::string> latency;  // latency_b<B>_us_<path> columns present
  for (const std::string& b : latency_batches(t))
    for (const char* path : inference_paths)
      if (t.has_column("latency_b" + b + "_us_" + path))
        latency.push_back("latency_b" + b + "_us_" + path);
  // Constant setting columns are stated once above the table instead of repeated.
  std::vector<std::string> columns;
  for (const auto& c : t.setting_columns)
    if (c == "target_sparsity" ||
        std::find(t.varying_setting_columns.begin(), t.varying_setting_columns.end(), c) !=
            t.varying_setting_columns.end())
      columns.push_back(c);
  std::string md;
  std::string constants;
  for (std::size_t i = 0; i < t.setting_columns.size(); ++i) {
    const auto& c = t.setting_columns[i];
    if (std::find(columns.begin(), columns.end(), c) == columns.end() && !t.settings.empty())
      constants += (constants.empty() ? "" : ", ") + std::string("`") + setting_label(c) +
                   "` = " + t.settings[0].values[i];
  }
  if (!constants.empty()) md += "Same in every run: " + constants + ".\n\n";
  md += "|";
  for (const auto& c : columns) md += " " + setting_label(c) + " |";
  md += " n | failed | acc | sparsity | effective MACs | acc_dense | acc_pruned |";
  const bool structured = has_structured_runs(t);
  if (structured) md += " units removed (fraction) | compact MACs |";
  for (const std::string& c : latency) md += " " + c + " |";
  md += "\n|";
  const std::size_t fixed_columns = 7 + (structured ? 2 : 0);
  for (std::size_t i = 0; i < columns.size() + fixed_columns + latency.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& s : t.settings) {
    std::size_t ok = 0, failed = 0;
    for (std::size_t i : s.runs) (t.runs[i].ok ? ok : failed) += 1;
    md += "|";
    for (const auto& c : columns) {
      std::size_t k = std::find(t.setting_columns.begin(), t.setting_columns.end(), c) -
                      t.setting_columns.begin();
      md += " " + cell(s.values[k]) + " |";
    }
    Stat macs = setting_stat(t, s, "effective_macs");
    md += " " + std::to_string(ok) + " | " + std::to_string(failed) + " | " +
          mean_std(setting_stat(t, s, "acc"), 4) + " | " +
          mean_std(setting_stat(t, s, "sparsity"), 4) + " | " +
          (macs.n ? si(macs.mean) + (macs.n >= 2 ? " ± " + si(macs.std) : "") : "–") + " | " +
          mean_std(setting_stat(t, s, "acc_dense"), 4) + " | " +
          mean_std(setting_stat(t, s, "acc_pruned"), 4) + " |";
    if (structured) {
      const Stat compact = setting_stat(t, s, "compact_macs");
      md += " " + mean_std(setting_stat(t, s, "units_removed"), 3) + " | " +
            (compact.n ? si(compact.mean) : "–") + " |";
    }
    for (const std::string& c : latency) md += " " + mean_std(setting_stat(t, s, c), 1) + " |";
    md += "\n";
  }
  if (!latency.empty())
    md += "\nLatency cells (µs per batch): the mean ± std over seeds of each run's median.\n";
  return md;
}

}  // namespace poda
