#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "experiment/io/atomic_file.h"
#include "experiment/io/csv.h"
#include "experiment/io/plots.h"
#include "experiment/report/report.h"
#include "temp_dir.h"
#include "skip.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> fake_header() {
  return {"run_id", "prune.sparsity", "prune.schedule.kind", "seed", "criterion", "granularity",
          "scope", "schedule", "target_sparsity", "sparsity", "params", "nonzero_params", "macs",
          "effective_macs", "acc_dense", "acc_pruned", "acc", "val_acc", "train_seconds",
          "status", "reason", "latency_b1_us_dense", "latency_b1_us_sparse",
          "latency_b1_us_compact"};
}

// One run of the fake sweep, in fake_header()'s order; `failed` leaves acc and MACs empty.
std::vector<std::string> fake_row(const std::string& id, const std::string& schedule,
                                  const std::string& gran, double target, int seed, bool failed) {
  const double acc = 0.89 - target * (gran == "neuron" ? 0.1 : 0.03) + 0.002 * seed;
  const double macs = 266200 * (1 - target);
  return {id, std::to_string(target), schedule, std::to_string(seed), "magnitude", gran,
          "global", schedule, std::to_string(target), std::to_string(target + 0.001 * seed),
          "266610", std::to_string(266610 * (1 - target)), "266200",
          failed ? "" : std::to_string(macs), "0.89", std::to_string(acc - 0.05),
          failed ? "" : std::to_string(acc), std::to_string(acc), "3.5",
          failed ? "failed" : "ok", failed ? "loss became NaN at epoch 2" : "",
          std::to_string(200 * (1 - target) + 10), std::to_string(100 * (1 - target) + 5),
          std::to_string(190 * (1 - target) + 10)};
}

void write_fake_layers(const fs::path& dir, const std::string& id, double target) {
  poda::CsvTable layers{{"layer", "params", "nonzero", "sparsity"},
                        {{"fc1.weight", "235200", "1000", std::to_string(target + 0.02)},
                         {"fc2.weight", "30000", "1000", std::to_string(target - 0.05)},
                         {"fc3.weight", "1000", "500", std::to_string(target / 2)}}};
  poda::write_csv_file((dir / "runs" / id / "layer_sparsity.csv").string(), layers);
}

// A fake sweep: 2 schedules x 2 granularities x 3 targets x 2 seeds, one failed run.
poda::CsvTable fake_runs(const fs::path& dir) {
  poda::CsvTable t;
  t.header = fake_header();
  for (std::string schedule : {"one_shot", "iterative"})
    for (std::string gran : {"unstructured", "neuron"})
      for (double target : {0.5, 0.8, 0.9})
        for (int seed : {1, 2}) {
          std::string id = schedule + "_" + gran + "_" + std::to_string(target).substr(0, 3) +
                           "_s" + std::to_string(seed);
          bool failed = schedule == "iterative" && gran == "neuron" && target == 0.9 && seed == 2;
          t.rows.push_back(fake_row(id, schedule, gran, target, seed, failed));
          if (!failed) write_fake_layers(dir, id, target);
        }
  return t;
}

std::string report_error(const fs::path& dir) {
  try {
    poda::write_report(dir.string());
  } catch (const poda::ReportError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("write_report builds the summary table, failed runs and plots from runs.csv") {
  poda_test::TempDir dir("poda_report");
  poda::write_csv_file((dir.path / "runs.csv").string(), fake_runs(dir.path));
  const bool plots = poda::gnuplot_available();
  if (plots) {
    poda::write_report(dir.path.string());
  } else {
    MESSAGE("gnuplot is not installed: plot checks skipped");
    CHECK(report_error(dir.path).find("gnuplot") != std::string::npos);
  }
  std::string md = poda::read_file((dir.path / "report.md").string());
  CAPTURE(md);
  CHECK(md.find("24 runs: 23 ok, 1 not ok") != std::string::npos);
  // Constant columns are stated once; swept columns that repeat a standard one
  // (prune.sparsity = target_sparsity, prune.schedule.kind = schedule) are dropped.
  CHECK(md.find("`criterion` = magnitude") != std::string::npos);
  CHECK(md.find("| prune.sparsity |") == std::string::npos);
  CHECK(md.find("| schedule | granularity | target_sparsity | n | failed | acc |") !=
        std::string::npos);
  // one_shot/unstructured at 0.5: acc = 0.875 + 0.002*seed -> mean 0.878, std 0.001414
  CHECK(md.find(
            "| one_shot | unstructured | 0.500000 | 2 | 0 | 0.8780 ± 0.0014 | 0.5015 ± 0.0007 |") !=
        std::string::npos);
  // One ok run: a mean without a std (not "± 0.0000").
  CHECK(md.find("| iterative | neuron | 0.900000 | 1 | 1 | 0.8020 | 0.9010 |") !=
        std::string::npos);
  CHECK(md.find("| iterative_neuron_0.9_s2 | failed | loss became NaN at epoch 2 |") !=
        std::string::npos);
  if (!plots) return;
  for (const char* name : {"accuracy_vs_sparsity", "accuracy_vs_effective_macs",
                           "latency_b1_vs_sparsity", "accuracy_vs_latency_b1", "layer_sparsity"}) {
    CAPTURE(name);
    CHECK(md.find(std::string("](plots/") + name + ".png)") != std::string::npos);
    for (const char* ext : {".svg", ".png"}) {
      fs::path p = dir.path / "plots" / (std::string(name) + ext);
      REQUIRE(fs::exists(p));
      CHECK(fs::file_size(p) > 5000);
    }
  }
  std::string svg = poda::read_file((dir.path / "plots" / "accuracy_vs_sparsity.svg").string());
  for (const char* label :
       {"iterative / neuron / magnitude", "iterative / unstructured / magnitude",
        "one_shot / neuron / magnitude", "one_shot / unstructured / magnitude"})
    CHECK(svg.find(label) != std::string::npos);
  CHECK(md.find("## Warnings") == std::string::npos);
  CHECK(md.find("## Per-round accuracy") == std::string::npos);  // no rounds.csv here
}

TEST_CASE("write_report draws per-round curves from rounds.csv, round 0 being the dense model") {
  poda_test::TempDir dir("poda_report_rounds");
  poda::CsvTable runs = fake_runs(dir.path);
  // Three rounds for the two seeds of one setting, accuracy 0.880, 0.860, 0.800 (+0.001 for
  // seed 2).
  for (const char* id : {"iterative_unstructured_0.9_s1", "iterative_unstructured_0.9_s2"}) {
    const std::string plus = std::string(id).back() == '2' ? "1" : "0";
    poda::CsvTable rounds{{"round", "target", "sparsity", "units_removed", "val_pruned",
                           "test_pruned", "val_trained", "test_trained"},
                          {{"1", "0.5", "0.5", "0", "0.1", "0.1", "0.9", "0.88" + plus},
                           {"2", "0.8", "0.8", "0", "0.1", "0.1", "0.9", "0.86" + plus},
                           {"3", "0.9", "0.9", "0", "0.1", "0.1", "0.9", "0.80" + plus}}};
    poda::write_csv_file((dir.path / "runs" / id / "rounds.csv").string(), rounds);
  }
  poda::write_csv_file((dir.path / "runs.csv").string(), runs);
  const bool plots = poda::gnuplot_available();
  if (plots)
    poda::write_report(dir.path.string());
  else
    report_error(dir.path);
  const std::string md = poda::read_file((dir.path / "report.md").string());
  CAPTURE(md);
  CHECK(md.find("## Per-round accuracy") != std::string::npos);
  const std::string curve = "| schedule=iterative, granularity=unstructured @ 0.90 |";
  CHECK(md.find(curve + " 0 | 1.0000 | 0.8900 ± 0.0000 | 2 |") != std::string::npos);
  CHECK(md.find(curve + " 1 | 0.5000 | 0.8805 ± 0.0007 | 2 |") != std::string::npos);
  CHECK(md.find(curve + " 3 | 0.1000 | 0.8005 ± 0.0007 | 2 |") != std::string::npos);
  CHECK(md.find("schedule=one_shot") == std::string::npos);  // no rounds.csv
  if (plots) CHECK(fs::exists(dir.path / "plots" / "accuracy_per_round.png"));
}

TEST_CASE("write_report is reproducible from the files alone and reports missing layer tables") {
  if (!poda::gnuplot_available()) PODA_SKIP_TEST("gnuplot is not installed (install gnuplot-nox)");
  poda_test::TempDir dir("poda_report");
  poda::write_csv_file((dir.path / "runs.csv").string(), fake_runs(dir.path));
  poda::write_report(dir.path.string());
  std::string first = poda::read_file((dir.path / "report.md").string());
  fs::remove_all(dir.path / "runs" / "one_shot_neuron_0.9_s1");
  poda::write_report(dir.path.string());
  std::string second = poda::read_file((dir.path / "report.md").string());
  CHECK(second.find("no per-layer table for run 'one_shot_neuron_0.9_s1'") != std::string::npos);
  CHECK(first.substr(0, first.find("## Warnings")) == second.substr(0, second.find("## Warnings")));
}

TEST_CASE("write_report errors name runs.csv and what is wrong") {
  poda_test::TempDir dir("poda_report");
  CHECK(report_error(dir.path).find("runs.csv: no such file") != std::string::npos);
  poda::CsvTable runs = fake_runs(dir.path);
  poda::CsvTable no_acc = runs;
  std::size_t acc = *poda::find_column(no_acc, "acc");
  no_acc.header.erase(no_acc.header.begin() + acc);
  for (auto& row : no_acc.rows) row.erase(row.begin() + acc);
  poda::write_csv_file((dir.path / "runs.csv").string(), no_acc);
  CHECK(report_error(dir.path) == (dir.path / "runs.csv").string() + ": missing column 'acc'");
  poda::CsvTable bad = runs;
  bad.rows[0][acc] = "high";
  poda::write_csv_file((dir.path / "runs.csv").string(), bad);
  CHECK(report_error(dir.path) ==
        (dir.path / "runs.csv").string() +
            ": run 'one_shot_unstructured_0.5_s1': column 'acc' is 'high', expected a number");
  {
    std::string text = "run_id,acc\n\"open";
    poda::write_file_atomically((dir.path / "runs.csv").string(), text);
  }
  CHECK(report_error(dir.path).find("runs.csv:2: a quoted field is not closed") !=
        std::string::npos);
}
