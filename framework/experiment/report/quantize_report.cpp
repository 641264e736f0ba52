#include "experiment/report/quantize_report.h"

#include <cmath>

#include <fmt/format.h>

#include "experiment/report/markdown_cells.h"

namespace poda {

namespace {

// The int8 latency columns present, e.g. latency_b64_us_int8.
std::vector<std::string> int8_latency_columns(const RunTable& t) {
  const std::string prefix = "latency_b", suffix = "_us_int8";
  std::vector<std::string> out;
  for (const std::string& c : t.csv.header)
    if (c.size() > prefix.size() + suffix.size() && c.rfind(prefix, 0) == 0 &&
        c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(c);
  return out;
}

}  // namespace

bool has_quantization(const RunTable& t) {
  if (!t.has_column("acc_quant")) return false;
  for (const Run& r : t.runs)
    if (r.ok && std::isfinite(t.number(r, "acc_quant"))) return true;
  return false;
}

std::string quantization_table(const RunTable& t) {
  const std::vector<std::string> latency = int8_latency_columns(t);
  std::string md =
      "| series | target | acc (fp32 pruned) | acc_quant | acc_quant − acc | "
      "bytes_quant | compression_ratio |";
  for (const std::string& c : latency) md += " " + c + " |";
  md += "\n|---|---|---|---|---|---|---|";
  for (std::size_t i = 0; i < latency.size(); ++i) md += "---|";
  md += "\n";
  for (const Setting& s : t.settings) {
    const Stat quant = setting_stat(t, s, "acc_quant");
    if (quant.n == 0) continue;
    std::vector<double> delta;
    for (std::size_t i : s.runs)
      if (t.runs[i].ok)
        delta.push_back(t.number(t.runs[i], "acc_quant") - t.number(t.runs[i], "acc"));
    md += fmt::format("| {} | {:.4g} | {} | {} | {} | {} | {} |", s.series_label, s.target_sparsity,
                      mean_std(setting_stat(t, s, "acc"), 4), mean_std(quant, 4),
                      mean_std(stat_of(delta), 4), mean_std(setting_stat(t, s, "bytes_quant"), 0),
                      mean_std(setting_stat(t, s, "compression_ratio"), 1));
    for (const std::string& c : latency) md += " " + mean_std(setting_stat(t, s, c), 1) + " |";
    md += "\n";
  }
  return md;
}

LinePlot accuracy_vs_compressed_size(const RunTable& t) {
  LinePlot plot;
  plot.title = "Test accuracy of the quantized model vs its stored size (mean ± std over seeds)";
  plot.x_label = "stored bytes: indices, codes, codebooks or scales, biases (log scale)";
  plot.y_label = "test accuracy, quantized";
  plot.log_x = true;
  plot.series = series_of(t, "bytes_quant", "acc_quant");
  return plot;
}

}  // namespace poda
