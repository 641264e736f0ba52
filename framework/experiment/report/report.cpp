#include "experiment/report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "experiment/io/atomic_file.h"
#include "experiment/io/plots.h"
#include "experiment/report/quantize_report.h"
#include "experiment/report/markdown_cells.h"
#include "experiment/report/round_curves.h"
#include "experiment/report/summary_table.h"
#include "experiment/results/results_store.h"

namespace poda {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxBarGroups = 6;  // more bars per cluster stop being readable

struct ReportState {
  std::string dir;
  std::vector<std::string> plot_lines;  // markdown for the plots section
  std::vector<std::string> warnings;
  std::vector<std::string> plot_errors;
  std::string rounds_table;  // per-round accuracies (round_curves.h), markdown
};

// The report's section for plots/<name>.png and .svg.
std::string plot_markdown(const std::string& caption, const std::string& name) {
  return "### " + caption + "\n\n![" + caption + "](plots/" + name + ".png)\n\n[SVG](plots/" +
         name + ".svg)\n";
}

void draw_line(ReportState& st, const std::string& name, const std::string& caption,
               LinePlot plot) {
  if (plot.series.empty()) {
    st.warnings.push_back(name + ": no run with status ok has the values to plot");
    return;
  }
  try {
    write_line_plot(plot, (fs::path(st.dir) / "plots" / name).string());
    st.plot_lines.push_back(plot_markdown(caption, name));
  } catch (const std::exception& e) {
    st.plot_errors.push_back(e.what());
  }
}

// Per-layer sparsity averaged over the ok seeds of one setting, layers in file order.
void add_layer_group(ReportState& st, const RunTable& t, const Setting& s,
                     std::vector<std::string>& layers,
                     std::map<std::string, std::vector<double>>& values_by_layer) {
  for (std::size_t i : s.runs) {
    const Run& run = t.runs[i];
    if (!run.ok) continue;
    std::string path = (fs::path(st.dir) / "runs" / run.run_id / "layer_sparsity.csv").string();
    if (!fs::exists(path)) {
      st.warnings.push_back("no per-layer table for run '" + run.run_id + "' (" +
                            fs::path(path).lexically_relative(st.dir).string() + ")");
      continue;
    }
    try {
      CsvTable layer_table = read_csv_file(path);
      std::size_t lc = require_column(layer_table, "layer", path);
      std::size_t sc = require_column(layer_table, "sparsity", path);
      for (const auto& row : layer_table.rows) {
        char* end = nullptr;
        double v = std::strtod(row[sc].c_str(), &end);
        if (row[sc].empty() || end != row[sc].c_str() + row[sc].size())
          throw CsvError(path + ": layer '" + row[lc] + "': sparsity is '" + row[sc] +
                         "', expected a number");
        if (!values_by_layer.count(row[lc]) &&
            std::find(layers.begin(), layers.end(), row[lc]) == layers.end())
          layers.push_back(row[lc]);
        values_by_layer[row[lc]].push_back(v);
      }
    } catch (const std::exception& e) {
      st.warnings.push_back(e.what());
    }
  }
}

void draw_layer_sparsity(ReportState& st, const RunTable& t) {
  // The highest target of each series: where pruning shapes the layers most.
  std::vector<const Setting*> chosen;
  for (const auto& label : t.series_labels) {
    const Setting* best = nullptr;
    for (const auto& s : t.settings)
      if (s.series_label == label && setting_stat(t, s, "acc").n > 0 &&
          (!best || s.target_sparsity > best->target_sparsity))
        best = &s;
    if (best) chosen.push_back(best);
  }
  std::vector<std::string> layers;
  std::vector<std::pair<std::string, std::map<std::string, std::vector<double>>>> per_setting;
  for (const Setting* s : chosen) {
    std::map<std::string, std::vector<double>> values;
    add_layer_group(st, t, *s, layers, values);
    if (!values.empty())
      per_setting.emplace_back(s->series_label + " @ " + fixed(s->target_sparsity, 2),
                               std::move(values));
  }
  if (per_setting.empty()) {
    if (!chosen.empty())
      st.warnings.push_back("layer_sparsity: no readable per-layer table, plot skipped");
    return;
  }
  const std::size_t plots = (per_setting.size() + kMaxBarGroups - 1) / kMaxBarGroups;
  for (std::size_t p = 0; p < plots; ++p) {
    BarPlot bars;
    bars.title = "Per-layer sparsity at the highest target sparsity (mean over seeds)";
    if (plots > 1) bars.title += ", part " + std::to_string(p + 1) + " of " + std::to_string(plots);
    bars.y_label = "sparsity (fraction of zero weights)";
    bars.categories = layers;
    for (std::size_t g = p * kMaxBarGroups;
         g < std::min(per_setting.size(), (p + 1) * kMaxBarGroups); ++g) {
      Series group;
      group.label = per_setting[g].first;
      for (const auto& layer : layers) {
        auto it = per_setting[g].second.find(layer);
        group.y.push_back(it == per_setting[g].second.end() ? std::nan("")
                                                            : stat_of(it->second).mean);
      }
      bars.groups.push_back(std::move(group));
    }
    std::string name = plots > 1 ? "layer_sparsity_" + std::to_string(p + 1) : "layer_sparsity";
    try {
      write_bar_plot(bars, (fs::path(st.dir) / "plots" / name).string());
      std::string caption =
          "Per-layer sparsity" +
          (plots > 1 ? " (" + std::to_string(p + 1) + "/" + std::to_string(plots) + ")" : "");
      st.plot_lines.push_back(plot_markdown(caption, name));
    } catch (const std::exception& e) {
      st.plot_errors.push_back(e.what());
    }
  }
}

// One plot per batch size: the dense, sparse and compacted paths against sparsity.
void draw_latency(ReportState& st, const RunTable& t) {
  for (const std::string& b : latency_batches(t)) {
    LinePlot lat;
    lat.title = "Inference latency at batch " + b + " vs achieved sparsity (mean ± std over seeds)";
    lat.x_label = "achieved sparsity";
    lat.y_label = "latency per batch (us)";
    lat.y_from_zero = true;
    for (const char* path : inference_paths)
      for (Series s : series_of(t, "sparsity", "latency_b" + b + "_us_" + path)) {
        s.label += std::string(" (") + path + ")";
        lat.series.push_back(std::move(s));
      }
    draw_line(st, "latency_b" + b + "_vs_sparsity", "Latency at batch " + b + " vs sparsity", lat);
    LinePlot acc;  // the trade-off itself: what each path costs for the accuracy it keeps
    acc.title = "Test accuracy vs measured latency at batch " + b + " (mean ± std over seeds)";
    acc.x_label = "latency per batch (us, log scale)";
    acc.y_label = "test accuracy";
    acc.log_x = true;
    for (const char* path : inference_paths)
      for (Series s : series_of(t, "latency_b" + b + "_us_" + path, "acc")) {
        s.label += std::string(" (") + path + ")";
        acc.series.push_back(std::move(s));
      }
    draw_line(st, "accuracy_vs_latency_b" + b, "Accuracy vs latency at batch " + b, acc);
  }
}

// A sweep over names only (criteria, schedules) gives one point per line: its accuracies are
// compared as bars, one per setting.
void draw_single_point_bars(ReportState& st, const std::vector<Series>& series) {
  if (series.size() < 2) return;
  BarPlot bars;
  bars.title = "Test accuracy per setting (mean ± std over seeds)";
  bars.y_label = "test accuracy";
  bars.groups.push_back({"test accuracy", {}, {}, {}});
  for (const Series& s : series) {
    if (s.y.size() != 1) return;
    bars.categories.push_back(s.label);
    bars.groups[0].y.push_back(s.y[0]);
    bars.groups[0].y_err.push_back(s.y_err.empty() ? 0.0 : s.y_err[0]);
  }
  try {
    write_bar_plot(bars, (fs::path(st.dir) / "plots" / "accuracy_per_setting").string());
    st.plot_lines.push_back(plot_markdown("Accuracy per setting", "accuracy_per_setting"));
  } catch (const PlotError& e) {
    st.plot_errors.push_back(e.what());
  }
}

// Budget runs (prune.budget): accuracy against the budget's quantity as measured on the final
// model, the search and its baselines (budget_strategy) as lines on the same axes.
void draw_budget(ReportState& st, const RunTable& t) {
  if (!t.has_column("budget_achieved") || std::isnan(table_mean(t, "budget_achieved"))) return;
  LinePlot acc;
  acc.title = "Test accuracy vs measured budget (mean ± std over seeds)";
  acc.x_label = "budget_achieved: the final model measured again (unit of budget_kind, log scale)";
  acc.y_label = "test accuracy";
  acc.log_x = true;
  acc.series = series_of(t, "budget_achieved", "acc");
  acc.references = {{"dense model", table_mean(t, "acc_dense")}};
  draw_line(st, "accuracy_vs_budget", "Accuracy vs measured budget", acc);
}

void draw_plots(ReportState& st, const RunTable& t) {
  LinePlot acc;
  acc.title = "Test accuracy vs achieved sparsity (mean ± std over seeds)";
  acc.x_label = "achieved sparsity (fraction of prunable weights that are zero)";
  acc.y_label = "test accuracy";
  acc.series = series_of(t, "sparsity", "acc");
  const double dense = table_mean(t, "acc_dense");
  acc.references = {{"dense model", dense}};
  draw_line(st, "accuracy_vs_sparsity", "Accuracy vs sparsity", acc);
  draw_single_point_bars(st, acc.series);

  LinePlot macs;
  macs.title = "Test accuracy vs effective MACs (mean ± std over seeds)";
  macs.x_label = "effective MACs per sample (log scale)";
  macs.y_label = "test accuracy";
  macs.log_x = true;
  macs.series = series_of(t, "effective_macs", "acc");
  macs.references = {{"dense model", dense}};
  draw_line(st, "accuracy_vs_effective_macs", "Accuracy vs effective MACs", macs);

  LinePlot time;  // issue 27: what the sparse training path saves, by sparsity
  time.title = "Training time after the dense model vs achieved sparsity (mean ± std over seeds)";
  time.x_label = "achieved sparsity";
  time.y_label = "fine-tuning / sparse training time (s)";
  time.y_from_zero = true;
  if (t.has_column("finetune_seconds")) time.series = series_of(t, "sparsity", "finetune_seconds");
  if (!time.series.empty())  // results from before the column have no such plot
    draw_line(st, "training_time_vs_sparsity", "Training time vs sparsity", time);

  draw_latency(st, t);
  draw_budget(st, t);
  draw_layer_sparsity(st, t);
  if (has_quantization(t))
    draw_line(st, "accuracy_vs_compressed_size", "Quantized accuracy vs compressed size",
              accuracy_vs_compressed_size(t));
  RoundCurves rounds = round_curves(t, st.dir);
  st.warnings.insert(st.warnings.end(), rounds.warnings.begin(), rounds.warnings.end());
  if (!rounds.plot.series.empty())
    draw_line(st, "accuracy_per_round", "Accuracy per round vs remaining weights", rounds.plot);
  st.rounds_table = rounds.table_markdown;
}

std::string report_markdown(const ReportState& st, const RunTable& t,
                            const std::string& results_dir) {
  std::size_t ok = 0;
  for (const auto& run : t.runs) ok += run.ok;
  std::string md =
      "# Results: " + fs::path(results_dir).lexically_normal().filename().string() + "\n\n";
  md += std::to_string(t.runs.size()) + " runs: " + std::to_string(ok) + " ok, " +
        std::to_string(t.runs.size() - ok) +
        " not ok. Means ± sample standard deviations over the `n` seeds of the runs with status "
        "`ok` (the std from n = 2 on); test accuracy is that of the model chosen on validation "
        "data.\n\n";
  md += "Regenerate with `poda report <this folder>`.\n\n## Summary\n\n" + summary_table(t);
  if (has_quantization(t))
    md +=
        "\n## Quantization\n\nThe pruned model (acc, fp32) and the same model quantized "
        "(acc_quant), with its stored size and the ratio to dense fp32.\n\n" +
        quantization_table(t);
  md += "\n## Plots\n\n";
  for (const auto& p : st.plot_lines) md += p + "\n";
  for (const auto& e : st.plot_errors) md += "Plot not drawn: " + e + "\n\n";
  if (!st.rounds_table.empty())
    md +=
        "## Per-round accuracy\n\nAfter each round's training (runs/<run_id>/rounds.csv); "
        "round 0 is the dense model.\n\n" +
        st.rounds_table + "\n";
  if (ok != t.runs.size()) {
    md += "## Runs not ok\n\n| run_id | status | reason |\n|---|---|---|\n";
    for (const auto& run : t.runs)
      if (!run.ok)
        md += "| " + cell(run.run_id) + " | " + cell(run.status) + " | " +
              cell(run.reason.empty() ? "(no reason recorded)" : run.reason) + " |\n";
    md += "\n";
  }
  if (!st.warnings.empty()) {
    md += "## Warnings\n\n";
    for (const auto& w : st.warnings) md += "- " + w + "\n";
  }
  return md;
}

// The runs whose result.csv or final.ckpt fails its checks are not in runs.csv: say so.
void warn_unreadable_runs(ReportState& st) {
  std::string trimmed = st.dir;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  fs::path dir = fs::path(trimmed).lexically_normal();
  if (dir.filename() == "." || dir.filename() == "..") dir = fs::weakly_canonical(dir);
  const ResultsStore store(dir.parent_path().string(), dir.filename().string());
  for (const auto& [id, problem] : store.unreadable_runs())
    st.warnings.push_back("run '" + id + "' is left out: its result cannot be trusted (" + problem +
                          "); `poda run` does it again");
}

}  // namespace

void write_report(const std::string& results_dir) {
  const std::string runs_csv = (fs::path(results_dir) / "runs.csv").string();
  if (!fs::exists(runs_csv))
    throw ReportError(runs_csv + ": no such file (is '" + results_dir + "' a results folder?)");
  RunTable t = load_run_table(runs_csv);
  // Check every number of the ok runs up front so a bad cell names its run.
  for (const auto& run : t.runs)
    if (run.ok)
      for (const char* c : {"sparsity", "effective_macs", "acc", "acc_dense", "acc_pruned"})
        t.number(run, c);
  ReportState st;
  st.dir = results_dir;
  draw_plots(st, t);
  warn_unreadable_runs(st);
  write_file_atomically((fs::path(results_dir) / "report.md").string(),
                        report_markdown(st, t, results_dir));
  if (!st.plot_errors.empty())
    throw ReportError("report written, but plots failed: " + st.plot_errors.front());
}

}  // namespace poda
