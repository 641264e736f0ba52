#pragma once
// The row of runs.csv that one run writes, defined once: the schema below is what the
// pipeline writes (through RunRecord), what the report reads and what the README lists.
// Adding a column is one line in run_columns() (run_record.cpp) plus the line that sets it.
//
// Two kinds of columns: the fixed ones of the schema, and the swept keys of the sweep
// block that no fixed column records, written as "swept.<dotted path>" (e.g.
// swept.prune.schedule.rounds). A swept key that a fixed column records (prune.sparsity is
// target_sparsity, prune.schedule.kind is schedule, ...) is written only in that column.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "experiment/io/csv.h"

namespace poda {

using RunRow = std::vector<std::pair<std::string, std::string>>;  // column -> value

enum class ColumnType { text, count, real };

struct RunColumn {
  const char* name;  // "<B>" stands for a batch size: latency_b<B>_us_dense
  ColumnType type;
  int digits;     // real: decimals written
  bool required;  // every run with status ok has it
  bool groups;    // a setting: runs that agree on all of these are seeds of one point
  std::vector<const char*> config_paths;  // the swept keys it records, if any
  const char* meaning;
};

// The fixed columns, in runs.csv order.
const std::vector<RunColumn>& run_columns();
// The column named `name` (latency_b64_us_dense is the column latency_b<B>_us_dense), or
// nullptr.
const RunColumn* find_run_column(const std::string& name);
bool matches_column(const RunColumn& c, const std::string& name);

inline constexpr const char* kSweptPrefix = "swept.";

// The column a swept key is written in: the fixed column recording `path` when the value
// is a plain scalar, else "swept.<path>".
std::string swept_column(const std::string& path, const std::string& value_text);
// The swept key's path when `column` is a swept column: "swept.a.b" gives "a.b". Results
// folders written before the prefix existed hold plain dotted paths ("prune.rounds"),
// read the same way unless a fixed column records them (those only repeated it).
std::optional<std::string> swept_path(const std::string& column);

// One run's values, typed by the schema. The setters throw std::logic_error for a column
// the schema lacks or a value of the wrong type: a programming error, found by any test
// that runs the pipeline.
class RunRecord {
 public:
  void set(const std::string& column, const std::string& text);
  void set(const std::string& column, const char* text) { set(column, std::string(text)); }
  void set(const std::string& column, double value);
  void set(const std::string& column, std::int64_t value);
  void set(const std::string& column, std::size_t value) {
    set(column, static_cast<std::int64_t>(value));
  }
  void set(const std::string& column, int value) { set(column, static_cast<std::int64_t>(value)); }

  // The cells as runs.csv writes them, in schema order (unset columns left out).
  RunRow row() const;

  // Reads one row of a runs.csv table: fixed columns by their type (an empty cell has no
  // number), swept columns as text. Throws std::invalid_argument naming the column and the
  // cell when a fixed cell does not parse as its type.
  static RunRecord from_csv(const CsvTable& table, std::size_t row);

  bool has(const std::string& column) const { return cells_.count(column) > 0; }
  std::optional<std::string> text(const std::string& column) const;
  std::optional<double> number(const std::string& column) const;  // count or real
  const std::vector<std::pair<std::string, std::string>>& swept() const { return swept_; }

 private:
  static const RunColumn& column_or_throw(const std::string& column, ColumnType expected);
  std::map<std::string, std::string> cells_;  // formatted, by column name
  std::map<std::string, double> numbers_;     // the typed value of count and real cells
  std::vector<std::pair<std::string, std::string>> swept_;  // path -> value, file order
};

// `row` (run_id, swept keys and the run's own cells, in any order) in runs.csv order:
// run_id, swept columns, fixed columns in schema order, then any other column as given.
RunRow order_run_row(const RunRow& row);

}  // namespace poda
