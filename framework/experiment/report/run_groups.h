#pragma once
// Reads a results folder's runs.csv and groups its runs the way the report shows
// them: a *setting* is one point of the sweep minus the seed; a *series* is a line
// in the plots (a setting minus its target sparsity).
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiment/io/csv.h"
#include "experiment/io/plots.h"
#include "experiment/results/run_record.h"

namespace poda {

struct ReportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Mean and sample standard deviation of the finite values (std 0 for one value,
// NaN mean for none).
struct Stat {
  double mean = 0, std = 0;
  std::size_t n = 0;
};
Stat stat_of(const std::vector<double>& values);

struct Run {
  std::size_t row = 0;  // index into RunTable::csv.rows
  std::string run_id, status, reason;
  bool ok = false;          // status == "ok"
  std::size_t setting = 0;  // index into RunTable::settings
  RunRecord record;         // the row's typed values
};

struct Setting {
  std::vector<std::string> values;  // one per RunTable::setting_columns
  std::string series_label;         // e.g. "one_shot / unstructured / magnitude"
  double target_sparsity = 0;
  std::vector<std::size_t> runs;  // indices into RunTable::runs
};

struct RunTable {
  std::string source;  // path of runs.csv, for errors
  CsvTable csv;
  // The grouping columns of the schema (results/run_record.h), then the swept columns
  // (those of seeds excluded: a seed is what the report averages over).
  std::vector<std::string> setting_columns;
  std::vector<std::string> varying_setting_columns;  // those with more than one value
  std::vector<Run> runs;
  std::vector<Setting> settings;           // sorted by series label, then target sparsity
  std::vector<std::string> series_labels;  // distinct, in settings order

  // The number in `column` of a run: NaN when empty; throws ReportError naming the
  // file, the run and the column when the cell is not a number.
  double number(const Run& run, const std::string& column) const;
  bool has_column(const std::string& column) const { return find_column(csv, column).has_value(); }
};

// How the report names a setting column: a swept key by its dotted path (prune.rounds).
std::string setting_label(const std::string& column);

// Parses and groups `runs_csv_path`. Throws ReportError naming the file when it
// is missing, malformed, lacks a required column, or has a bad target_sparsity.
RunTable load_run_table(const std::string& runs_csv_path);

// A metric over a setting's ok runs.
Stat setting_stat(const RunTable& t, const Setting& s, const std::string& column);

// The mean of `column` over every ok run of the table (NaN when none has it): e.g. the
// dense model's accuracy, drawn as a reference line.
double table_mean(const RunTable& t, const std::string& column);

// One line per series: x = mean of x_column, y = mean ± std of y_column, per setting, in
// x order.
std::vector<Series> series_of(const RunTable& t, const std::string& x_column,
                              const std::string& y_column);

}  // namespace poda
