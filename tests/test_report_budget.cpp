// The report's budget plot: accuracy against the measured budget (budget_achieved), the search
// and its baselines as lines on the same axes, each budget a point on its strategy's line.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "experiment/io/atomic_file.h"
#include "experiment/io/csv.h"
#include "experiment/io/plots.h"
#include "experiment/report/report.h"
#include "skip.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

// 2 strategies x 2 speedup budgets x 2 seeds; the search a point above uniform at each.
poda::CsvTable budget_runs() {
  poda::CsvTable t;
  t.header = {"run_id", "seed", "criterion", "granularity", "scope", "schedule",
              "target_sparsity", "sparsity", "params", "nonzero_params", "macs",
              "effective_macs", "acc_dense", "acc_pruned", "acc", "val_acc", "train_seconds",
              "status", "reason", "budget_kind", "budget", "budget_strategy", "budget_achieved",
              "budget_met"};
  for (const std::string strategy : {"lookup_table", "uniform"})
    for (double budget : {2.0, 4.0})
      for (int seed : {1, 2}) {
        const double acc = 0.9 - 0.01 * budget - (strategy == "uniform" ? 0.01 : 0.0);
        const std::string id = strategy + "_" + std::to_string(int(budget)) + "_s" +
                               std::to_string(seed);
        t.rows.push_back({id, std::to_string(seed), "magnitude", "unstructured+filter", "layer",
                          "budget", "", "0.8", "1000", "200", "1000", "200", "0.9", "0.5",
                          std::to_string(acc + 0.001 * seed), std::to_string(acc), "3", "ok", "",
                          "speedup_b1", std::to_string(budget), strategy,
                          std::to_string(budget * 1.05 + 0.01 * seed), "true"});
      }
  return t;
}

}  // namespace

TEST_CASE("write_report plots accuracy against the measured budget, one line per strategy") {
  if (!poda::gnuplot_available()) PODA_SKIP_TEST("gnuplot is not installed (install gnuplot-nox)");
  poda_test::TempDir dir("poda_report_budget");
  poda::write_csv_file((dir.path / "runs.csv").string(), budget_runs());
  try {
    poda::write_report(dir.path.string());
  } catch (const poda::ReportError&) {
    // the runs have no layer tables: a warning, and the plots are still drawn
  }
  const std::string md = poda::read_file((dir.path / "report.md").string());
  CAPTURE(md);
  CHECK(md.find("](plots/accuracy_vs_budget.png)") != std::string::npos);
  REQUIRE(fs::exists(dir.path / "plots" / "accuracy_vs_budget.svg"));
  const std::string svg = poda::read_file((dir.path / "plots" / "accuracy_vs_budget.svg").string());
  CHECK(svg.find("lookup_table") != std::string::npos);
  CHECK(svg.find("uniform") != std::string::npos);
  // The budget is the x axis, not part of a line's name: two lines, not four.
  CHECK(svg.find("=2.0") == std::string::npos);
  CHECK(svg.find("=4.0") == std::string::npos);
}
