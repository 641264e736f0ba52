#include "experiment/io/csv.h"

#include <unordered_map>

#include "experiment/io/atomic_file.h"

namespace poda {
namespace {

bool needs_quotes(const std::string& field) {
  if (field.find_first_of(",\"\r\n") != std::string::npos) return true;
  return !field.empty() && (field.front() == ' ' || field.back() == ' ');
}

void append_field(std::string& out, const std::string& field) {
  if (!needs_quotes(field)) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_record(std::string& out, const std::vector<std::string>& fields) {
  // A lone empty field would read back as a blank line, which the parser skips.
  if (fields.size() == 1 && fields[0].empty()) {
    out += "\"\"\n";
    return;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    append_field(out, fields[i]);
  }
  out += '\n';
}

[[noreturn]] void fail(const std::string& source, std::size_t line, const std::string& what) {
  throw CsvError(source + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

std::string to_csv(const CsvTable& table) {
  std::string out;
  append_record(out, table.header);
  for (const auto& row : table.rows) append_record(out, row);
  return out;
}

CsvTable parse_csv(const std::string& text, const std::string& source_name) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::size_t> record_lines;  // line where each record starts, for errors
  std::vector<std::string> fields;
  std::string field;
  std::size_t line = 1;
  std::size_t record_line = 1;
  bool in_quotes = false;
  bool was_quoted = false;  // the current field was a quoted one (text after it is an error)
  bool record_empty = true;

  auto end_field = [&] {
    fields.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  auto end_record = [&] {
    // A line with nothing on it is blank, not a record with one empty field.
    if (!(record_empty && fields.empty() && field.empty())) {
      end_field();
      records.push_back(std::move(fields));
      record_lines.push_back(record_line);
    }
    fields.clear();
    field.clear();
    record_empty = true;
    was_quoted = false;
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF
    if (c == '\n') {
      end_record();
      ++line;
      record_line = line;
      continue;
    }
    if (c == '"') {
      if (!field.empty() || was_quoted) fail(source_name, line, "a double quote inside an unquoted field (quote the whole field and double the quote)");
      in_quotes = true;
      was_quoted = true;
      record_empty = false;
      continue;
    }
    if (was_quoted && c != ',')
      fail(source_name, line, std::string("unexpected character '") + c + "' after a closing quote (expected ',' or end of line)");
    if (c == ',') {
      end_field();
      record_empty = false;
      continue;
    }
    field += c;
    record_empty = false;
  }
  if (in_quotes) fail(source_name, record_line, "a quoted field is not closed before the end of the file");
  end_record();

  if (records.empty()) fail(source_name, 1, "empty file (expected a header line)");
  CsvTable table;
  table.header = std::move(records[0]);
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    if (table.header[i].empty()) fail(source_name, record_lines[0], "column " + std::to_string(i + 1) + " of the header has no name");
    if (!seen.emplace(table.header[i], i).second)
      fail(source_name, record_lines[0], "column '" + table.header[i] + "' appears twice in the header");
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.header.size())
      fail(source_name, record_lines[r],
           "row has " + std::to_string(records[r].size()) + " fields, the header has " + std::to_string(table.header.size()));
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

CsvTable read_csv_file(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const FileWriteError& e) {
    throw CsvError(e.what());
  }
  return parse_csv(text, path);
}

void write_csv_file(const std::string& path, const CsvTable& table) {
  write_file_atomically(path, to_csv(table));
}

std::optional<std::size_t> find_column(const CsvTable& table, const std::string& name) {
  for (std::size_t i = 0; i < table.header.size(); ++i)
    if (table.header[i] == name) return i;
  return std::nullopt;
}

std::size_t require_column(const CsvTable& table, const std::string& name, const std::string& source_name) {
  if (auto i = find_column(table, name)) return *i;
  throw CsvError(source_name + ": missing column '" + name + "'");
}

CsvTable merge_tables(const CsvTable& a, const CsvTable& b) {
  CsvTable out;
  out.header = a.header;
  for (const auto& name : b.header)
    if (!find_column(out, name)) out.header.push_back(name);
  for (const CsvTable* t : {&a, &b}) {
    std::vector<std::size_t> target(t->header.size());
    for (std::size_t i = 0; i < t->header.size(); ++i) target[i] = *find_column(out, t->header[i]);
    for (const auto& row : t->rows) {
      std::vector<std::string> merged(out.header.size());
      for (std::size_t i = 0; i < row.size() && i < target.size(); ++i) merged[target[i]] = row[i];
      out.rows.push_back(std::move(merged));
    }
  }
  return out;
}

}  // namespace poda
