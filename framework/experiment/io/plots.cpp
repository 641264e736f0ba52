#include "experiment/io/plots.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "experiment/io/atomic_file.h"

extern char** environ;

namespace poda {
namespace {

namespace fs = std::filesystem;

std::string find_gnuplot() {
  const char* path_env = std::getenv("PATH");
  std::stringstream dirs(path_env ? path_env : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / "gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs gnuplot with `args` and collects what it prints, so a failure can be reported.
RunResult run_gnuplot(const std::string& gnuplot, const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0)
    throw PlotError(std::string("cannot create a pipe for gnuplot: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> argv_storage = {gnuplot};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    throw PlotError("cannot start '" + gnuplot + "': " + std::strerror(rc));
  }
  RunResult result;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pipe_fds[0], buf, sizeof(buf));
    if (n > 0)
      result.output.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string require_gnuplot(const std::string& output) {
  std::string gnuplot = find_gnuplot();
  if (gnuplot.empty())
    throw PlotError("cannot draw '" + output +
                    "': gnuplot is not on PATH (on Debian: apt-get install gnuplot-nox)");
  return gnuplot;
}

// pngcairo draws anti-aliased text; some gnuplot builds only have libgd's png.
const std::string& png_terminal(const std::string& gnuplot) {
  static const std::string terminal =
      run_gnuplot(gnuplot, {"-e", "set terminal pngcairo"}).exit_code == 0 ? "pngcairo" : "png";
  return terminal;
}

// A gnuplot single-quoted string: no escapes except '' for a quote.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out + "'";
}

// A data-file column for a text label: double-quoted, without inner quotes.
std::string data_label(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\n' || c == '\r') ? '\'' : c;
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "?";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

// Common preamble: text is taken literally (no enhanced-mode subscripts for '_').
std::string preamble(const std::string& title, const std::string& key_position) {
  std::string s;
  s += "set datafile missing '?'\n";
  s += "set title " + quote(title) + "\n";
  s += "set grid\n";
  s += "set key " + key_position + " box\n";
  return s;
}

// Draws the plot commands to SVG then PNG via temporary files renamed into place.
void render(const std::string& gnuplot, const std::string& base, const std::string& body,
            const std::string& plot_cmd, int width, int height) {
  const std::string svg = base + ".svg", png = base + ".png";
  const std::string svg_tmp = svg + ".tmp", png_tmp = png + ".tmp";
  std::string script =
      "# written by poda; rerun with: gnuplot " + fs::path(base + ".gp").filename().string() + "\n";
  script += "set terminal svg size " + std::to_string(width) + "," + std::to_string(height) +
            " dynamic noenhanced font 'Sans,12' background '#ffffff'\n";
  script += "set output " + quote(fs::path(svg_tmp).filename().string()) + "\n";
  script += body + plot_cmd + "\n";
  script += "set terminal " + png_terminal(gnuplot) + " size " + std::to_string(width) + "," +
            std::to_string(height) + " noenhanced font 'Sans,11' background '#ffffff'\n";
  script += "set output " + quote(fs::path(png_tmp).filename().string()) + "\n";
  script += "replot\nunset output\n";
  const std::string script_path = base + ".gp";
  write_file_atomically(script_path, script);

  // gnuplot resolves the data and output names against its working folder; run
  // it there through `cd` so the script stays valid when the folder is moved.
  std::string dir = fs::path(base).parent_path().string();
  if (dir.empty()) dir = ".";
  std::string load =
      "cd " + quote(dir) + "; load " + quote(fs::path(script_path).filename().string());
  RunResult r = run_gnuplot(gnuplot, {"-e", load});
  std::error_code ec;
  if (r.exit_code != 0) {
    fs::remove(svg_tmp, ec);
    fs::remove(png_tmp, ec);
    throw PlotError("gnuplot failed on '" + script_path + "' (exit " + std::to_string(r.exit_code) +
                    "): " + r.output);
  }
  for (const auto& [tmp, out] : {std::pair{svg_tmp, svg}, std::pair{png_tmp, png}}) {
    if (!fs::exists(tmp) || fs::file_size(tmp, ec) == 0)
      throw PlotError("gnuplot wrote no '" + out + "' from '" + script_path + "': " + r.output);
    fs::rename(tmp, out, ec);
    if (ec) throw PlotError("cannot rename '" + tmp + "' to '" + out + "': " + ec.message());
  }
}

void check_sizes(const Series& s, std::size_t expected_y, const std::string& base, bool check_x) {
  auto bad = [&](const std::string& what) {
    throw PlotError("cannot draw '" + base + "': series '" + s.label + "' " + what);
  };
  if (check_x && s.x.size() != s.y.size())
    bad("has " + std::to_string(s.x.size()) + " x values and " + std::to_string(s.y.size()) +
        " y values");
  if (!check_x && s.y.size() != expected_y)
    bad("has " + std::to_string(s.y.size()) + " values for " + std::to_string(expected_y) +
        " categories");
  if (!s.y_err.empty() && s.y_err.size() != s.y.size())
    bad("has " + std::to_string(s.y_err.size()) + " error values for " +
        std::to_string(s.y.size()) + " y values");
}

std::string file_name(const std::string& path) {
  return fs::path(path).filename().string();
}

}  // namespace

bool gnuplot_available() {
  return !find_gnuplot().empty();
}

void write_line_plot(const LinePlot& plot, const std::string& base) {
  for (const auto& s : plot.series) check_sizes(s, 0, base, true);
  const std::string gnuplot = require_gnuplot(base);

  // One data block per drawn series, separated by two blank lines (gnuplot `index`).
  std::string data, plot_cmd;
  int block = 0;
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    const Series& s = plot.series[i];
    const bool errors = !s.y_err.empty();
    std::string rows;
    for (std::size_t k = 0; k < s.y.size(); ++k) {
      if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k]) || (plot.log_x && s.x[k] <= 0)) continue;
      rows += number(s.x[k]) + " " + number(s.y[k]);
      if (errors) rows += " " + number(std::isfinite(s.y_err[k]) ? s.y_err[k] : 0.0);
      rows += "\n";
    }
    if (rows.empty()) continue;
    data += "# " + s.label + "\n" + rows + "\n\n";
    plot_cmd += plot_cmd.empty() ? "plot " : ", \\\n     ";
    plot_cmd += quote(file_name(base + ".dat")) + " index " + std::to_string(block) +
                (errors ? " using 1:2:3 with yerrorlines" : " using 1:2 with linespoints") +
                " lw 2 pt " + std::to_string(i % 13 + 1) + " ps 0.8 dt " +
                std::to_string((i / 8) % 5 + 1) + " title " + quote(s.label);
    ++block;
  }
  if (block == 0)
    throw PlotError("cannot draw '" + base + "': no series has a finite point to plot");
  for (const auto& [label, y] : plot.references)
    if (std::isfinite(y))
      plot_cmd += ", \\\n     " + number(y) + " with lines lw 1.5 lc rgb 'gray40' dt 2 title " +
                  quote(label);
  write_file_atomically(base + ".dat", data);

  std::string body = preamble(plot.title, "outside right top vertical");
  body += "set xlabel " + quote(plot.x_label) + "\nset ylabel " + quote(plot.y_label) + "\n";
  body += "set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05\n";
  if (plot.log_x) body += "set logscale x\n";
  if (plot.y_from_zero) body += "set yrange [0:*]\n";
  render(gnuplot, base, body, plot_cmd, 960, 600);
}

void write_bar_plot(const BarPlot& plot, const std::string& base) {
  if (plot.categories.empty() || plot.groups.empty())
    throw PlotError("cannot draw '" + base +
                    "': a bar plot needs at least one category and one group");
  for (const auto& g : plot.groups) check_sizes(g, plot.categories.size(), base, false);
  const std::string gnuplot = require_gnuplot(base);

  bool any_errors = false;
  for (const auto& g : plot.groups) any_errors = any_errors || !g.y_err.empty();

  // One row per category: label, then y (and error) of each group.
  std::string data = "# category";
  for (const auto& g : plot.groups) data += " | " + g.label;
  data += "\n";
  for (std::size_t c = 0; c < plot.categories.size(); ++c) {
    data += data_label(plot.categories[c]);
    for (const auto& g : plot.groups) {
      data += " " + number(g.y[c]);
      if (any_errors) data += " " + number(g.y_err.empty() ? 0.0 : g.y_err[c]);
    }
    data += "\n";
  }
  write_file_atomically(base + ".dat", data);

  // Bar labels are long (series @ target); below the plot they leave the bars their width.
  std::string body =
      preamble(plot.title, "outside below center vertical maxrows " +
                               std::to_string(std::min<std::size_t>(plot.groups.size(), 6)));
  body += "set ylabel " + quote(plot.y_label) + "\n";
  body += "set style data histogram\n";
  body += any_errors ? "set style histogram errorbars gap 1 lw 1\n"
                     : "set style histogram clustered gap 1\n";
  body += "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset yrange [0:*]\n";
  body += "set xtics nomirror rotate by -30 left\n";
  body += "set grid ytics\n";

  std::string plot_cmd;
  for (std::size_t i = 0; i < plot.groups.size(); ++i) {
    std::size_t col = 2 + i * (any_errors ? 2 : 1);
    std::string using_cols =
        std::to_string(col) + (any_errors ? ":" + std::to_string(col + 1) : "");
    plot_cmd += plot_cmd.empty() ? "plot " + quote(file_name(base + ".dat")) : ", \\\n     ''";
    plot_cmd += " using " + using_cols + (i == 0 ? ":xtic(1)" : "") + " title " +
                quote(plot.groups[i].label);
  }
  int width = std::max(
      960,
      std::min(2400, 120 + static_cast<int>(plot.categories.size() * plot.groups.size()) * 28));
  render(gnuplot, base, body, plot_cmd, width,
         640 + 18 * static_cast<int>(std::min<std::size_t>(plot.groups.size(), 6)));
}

}  // namespace poda
