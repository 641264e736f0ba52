#pragma once
// Plots drawn by gnuplot (Debian's gnuplot-nox) run as a subprocess. Each plot
// leaves its data (.dat) and script (.gp) next to the .svg and .png, so a user can
// restyle a figure by editing the script and running `gnuplot file.gp`.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace poda {

struct PlotError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One line (or one bar group). y_err empty = no error bars; otherwise one per y.
// Points with a non-finite x or y are skipped (and x <= 0 on a log axis).
struct Series {
  std::string label;
  std::vector<double> x, y, y_err;
};

struct LinePlot {
  std::string title, x_label, y_label;
  bool log_x = false;
  bool y_from_zero = false;  // quantities that cannot be negative (latency)
  std::vector<Series> series;
  // Horizontal dashed lines across the plot, e.g. the dense model's accuracy (label, y).
  std::vector<std::pair<std::string, double>> references;
};

// Grouped bars: one cluster per category, one bar per group; each group's y (and
// y_err) holds one value per category (x is unused). NaN = no bar.
struct BarPlot {
  std::string title, y_label;
  std::vector<std::string> categories;
  std::vector<Series> groups;
};

// True when a `gnuplot` executable is on PATH.
bool gnuplot_available();

// Writes <base>.svg and <base>.png (plus <base>.dat, <base>.gp), each output
// replaced atomically. Throws PlotError naming the output when gnuplot is missing
// or fails, when a series' sizes disagree, or when there is nothing to plot.
void write_line_plot(const LinePlot& plot, const std::string& path_without_extension);
void write_bar_plot(const BarPlot& plot, const std::string& path_without_extension);

}  // namespace poda
