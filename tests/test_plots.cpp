#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "experiment/io/atomic_file.h"
#include "experiment/io/plots.h"
#include "temp_dir.h"
#include "skip.h"

namespace fs = std::filesystem;

TEST_CASE("write_line_plot draws labelled SVG and PNG with one line per series") {
  if (!poda::gnuplot_available()) PODA_SKIP_TEST("gnuplot is not installed (install gnuplot-nox)");
  poda_test::TempDir dir("poda_plots");
  poda::LinePlot plot;
  plot.title = "accuracy_vs_sparsity";
  plot.x_label = "sparsity";
  plot.y_label = "test accuracy";
  plot.series.push_back(
      {"one_shot / unstructured", {0.5, 0.8, 0.9}, {0.89, 0.88, 0.85}, {0.01, 0.005, 0.02}});
  plot.series.push_back({"it's iterative", {0.5, 0.8, 0.9}, {0.895, 0.885, NAN}, {}});
  std::string base = (dir.path / "out" / "acc").string();
  poda::write_line_plot(plot, base);
  for (const char* ext : {".svg", ".png", ".gp", ".dat"}) {
    CAPTURE(ext);
    REQUIRE(fs::exists(base + ext));
    CHECK(fs::file_size(base + ext) > 100);
  }
  std::string svg = poda::read_file(base + ".svg");
  CHECK(svg.find("test accuracy") != std::string::npos);
  CHECK(svg.find("one_shot / unstructured") != std::string::npos);  // literal, not subscripted
  CHECK(svg.find("<text>it's iterative</text>") != std::string::npos);
  CHECK(poda::read_file(base + ".png").substr(1, 3) == "PNG");
  CHECK(!fs::exists(base + ".svg.tmp"));
}

TEST_CASE("write_bar_plot draws grouped bars") {
  if (!poda::gnuplot_available()) PODA_SKIP_TEST("gnuplot is not installed (install gnuplot-nox)");
  poda_test::TempDir dir("poda_plots");
  poda::BarPlot plot;
  plot.title = "per-layer sparsity";
  plot.y_label = "sparsity";
  plot.categories = {"fc1.weight", "fc2.weight", "fc3.weight"};
  plot.groups.push_back({"unstructured", {}, {0.95, 0.9, 0.5}, {}});
  plot.groups.push_back({"neuron", {}, {0.9, 0.8, NAN}, {}});
  std::string base = (dir.path / "bars").string();
  poda::write_bar_plot(plot, base);
  CHECK(fs::file_size(base + ".png") > 1000);
  CHECK(poda::read_file(base + ".svg").find("fc2.weight") != std::string::npos);
}

TEST_CASE("plot inputs with inconsistent sizes are rejected with the series name") {
  poda::LinePlot plot;
  plot.series.push_back({"bad", {1, 2}, {1}, {}});
  try {
    poda::write_line_plot(plot, "nowhere/p");
    FAIL("expected PlotError");
  } catch (const poda::PlotError& e) {
    CHECK(std::string(e.what()) ==
          "cannot draw 'nowhere/p': series 'bad' has 2 x values and 1 y values");
  }
  poda::BarPlot bars;
  bars.categories = {"a", "b"};
  bars.groups.push_back({"g", {}, {1, 2}, {0.1}});
  CHECK_THROWS_AS(poda::write_bar_plot(bars, "nowhere/b"), poda::PlotError);
  if (poda::gnuplot_available()) {
    poda::LinePlot empty;
    empty.series.push_back({"nan", {NAN}, {1}, {}});
    poda_test::TempDir dir("poda_plots");
    CHECK_THROWS_WITH_AS(poda::write_line_plot(empty, (dir.path / "e").string()),
                         doctest::Contains("no series has a finite point"), poda::PlotError);
  }
}
