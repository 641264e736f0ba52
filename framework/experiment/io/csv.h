#pragma once
// A small RFC 4180 CSV table: the format of runs.csv and the per-layer tables,
// kept as strings so swept keys of any type survive a round trip unchanged.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace poda {

struct CsvError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() fields
};

// Header line then one line per row, '\n'-terminated; a field is quoted when it
// holds a comma, a double quote, CR or LF (quotes doubled inside), or when it
// starts or ends with a space (so spreadsheet tools keep it).
std::string to_csv(const CsvTable& table);

// Parses `text` (LF or CRLF line ends, quoted fields may span lines). The first
// record is the header; blank lines are skipped; every row must have as many
// fields as the header. Errors name `source_name` and the 1-based line.
CsvTable parse_csv(const std::string& text, const std::string& source_name);

// Reads and parses a file; errors name the path.
CsvTable read_csv_file(const std::string& path);

// Writes the table with write_file_atomically.
void write_csv_file(const std::string& path, const CsvTable& table);

// Index of the column named `name`, or nullopt.
std::optional<std::size_t> find_column(const CsvTable& table, const std::string& name);

// Index of the column named `name`; throws CsvError naming `source_name` otherwise.
std::size_t require_column(const CsvTable& table, const std::string& name,
                           const std::string& source_name);

// All rows of both tables under the union of their columns, in first-seen order
// (a's columns, then b's new ones); cells a table lacks are empty.
CsvTable merge_tables(const CsvTable& a, const CsvTable& b);

}  // namespace poda
