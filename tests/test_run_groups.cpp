// Grouping runs.csv into settings and series, through the run record's schema.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "experiment/io/csv.h"
#include "experiment/report/run_groups.h"
#include "temp_dir.h"

namespace {

// Two seeds of 2 rounds x 2 targets; the swept rounds are a swept.* column.
poda::CsvTable new_style_runs() {
  poda::CsvTable t;
  t.header = {"run_id",         "swept.prune.schedule.rounds",
              "seed",           "schedule",
              "criterion",      "granularity",
              "scope",          "target_sparsity",
              "sparsity",       "params",
              "nonzero_params", "macs",
              "effective_macs", "acc_dense",
              "acc_pruned",     "acc",
              "val_acc",        "train_seconds",
              "status"};
  for (const char* rounds : {"2", "3"})
    for (const char* target : {"0.500000", "0.900000"})
      for (const char* seed : {"1", "2"})
        t.rows.push_back({std::string("r") + rounds + "_t" + target + "_s" + seed, rounds, seed,
                          "iterative", "magnitude", "unstructured", "global", target, target, "100",
                          "50", "1000", "500", "0.9", "0.8", "0.85", "0.86", "1.0", "ok"});
  return t;
}

}  // namespace

TEST_CASE("run groups: swept columns are settings, seeds are averaged over") {
  poda_test::TempDir dir("poda_run_groups");
  poda::write_csv_file(dir.file("runs.csv"), new_style_runs());
  const poda::RunTable t = poda::load_run_table(dir.file("runs.csv"));
  CHECK(t.setting_columns == std::vector<std::string>{"schedule", "criterion", "granularity",
                                                      "scope", "target_sparsity",
                                                      "swept.prune.schedule.rounds"});
  CHECK(t.varying_setting_columns ==
        std::vector<std::string>{"target_sparsity", "swept.prune.schedule.rounds"});
  REQUIRE(t.settings.size() == 4);
  for (const poda::Setting& s : t.settings) CHECK(s.runs.size() == 2);  // the two seeds
  CHECK(t.series_labels ==
        std::vector<std::string>{"iterative / unstructured / magnitude / prune.schedule.rounds=2",
                                 "iterative / unstructured / magnitude / prune.schedule.rounds=3"});
  CHECK(t.settings[0].target_sparsity == 0.5);
  CHECK(t.number(t.runs[0], "acc") == doctest::Approx(0.85));
  CHECK(poda::setting_label("swept.prune.schedule.rounds") == "prune.schedule.rounds");
}

TEST_CASE("run groups: an old folder's swept columns that repeat a fixed one are not settings") {
  poda::CsvTable t = new_style_runs();
  t.header[1] = "prune.schedule.rounds";  // before the swept. prefix
  t.header.push_back("prune.sparsity");   // the old duplicate of target_sparsity
  for (auto& row : t.rows) row.push_back(row[7].substr(0, 3));
  poda_test::TempDir dir("poda_run_groups");
  poda::write_csv_file(dir.file("runs.csv"), t);
  const poda::RunTable table = poda::load_run_table(dir.file("runs.csv"));
  CHECK(table.varying_setting_columns ==
        std::vector<std::string>{"target_sparsity", "prune.schedule.rounds"});
  CHECK(table.settings.size() == 4);
}
