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

namespace {

// The records of a CSV text, with the line each starts on (for errors).
class RecordReader {
 public:
  RecordReader(const std::string& text, const std::string& source) : text_(text), source_(source) {}

  void read() {
    for (i_ = 0; i_ < text_.size(); ++i_) {
      if (in_quotes_)
        quoted_char(text_[i_]);
      else
        plain_char(text_[i_]);
    }
    if (in_quotes_)
      fail(source_, record_line_, "a quoted field is not closed before the end of the file");
    end_record();
  }

  std::vector<std::vector<std::string>> records;
  std::vector<std::size_t> record_lines;

 private:
  void quoted_char(char c) {
    if (c == '"') {
      if (i_ + 1 < text_.size() && text_[i_ + 1] == '"') {
        field_ += '"';
        ++i_;
      } else {
        in_quotes_ = false;
      }
      return;
    }
    if (c == '\n') ++line_;
    field_ += c;
  }

  void plain_char(char c) {
    if (c == '\r' && i_ + 1 < text_.size() && text_[i_ + 1] == '\n') return;  // CRLF
    if (c == '\n') {
      end_record();
      ++line_;
      record_line_ = line_;
      return;
    }
    if (c == '"') {
      if (!field_.empty() || was_quoted_)
        fail(
            source_, line_,
            "a double quote inside an unquoted field (quote the whole field and double the quote)");
      in_quotes_ = was_quoted_ = true;
      record_empty_ = false;
      return;
    }
    if (was_quoted_ && c != ',')
      fail(source_, line_,
           std::string("unexpected character '") + c +
               "' after a closing quote (expected ',' or end of line)");
    record_empty_ = false;
    if (c == ',')
      end_field();
    else
      field_ += c;
  }

  void end_field() {
    fields_.push_back(std::move(field_));
    field_.clear();
    was_quoted_ = false;
  }

  void end_record() {
    // A line with nothing on it is blank, not a record with one empty field.
    if (!(record_empty_ && fields_.empty() && field_.empty())) {
      end_field();
      records.push_back(std::move(fields_));
      record_lines.push_back(record_line_);
    }
    fields_.clear();
    field_.clear();
    record_empty_ = true;
    was_quoted_ = false;
  }

  const std::string& text_;
  const std::string& source_;
  std::size_t i_ = 0;
  std::vector<std::string> fields_;
  std::string field_;
  std::size_t line_ = 1, record_line_ = 1;
  bool in_quotes_ = false;
  bool was_quoted_ = false;  // the current field was a quoted one (text after it is an error)
  bool record_empty_ = true;
};

}  // namespace

CsvTable parse_csv(const std::string& text, const std::string& source_name) {
  RecordReader reader(text, source_name);
  reader.read();
  auto& records = reader.records;
  const auto& record_lines = reader.record_lines;
  if (records.empty()) fail(source_name, 1, "empty file (expected a header line)");
  CsvTable table;
  table.header = std::move(records[0]);
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    if (table.header[i].empty())
      fail(source_name, record_lines[0],
           "column " + std::to_string(i + 1) + " of the header has no name");
    if (!seen.emplace(table.header[i], i).second)
      fail(source_name, record_lines[0],
           "column '" + table.header[i] + "' appears twice in the header");
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.header.size())
      fail(source_name, record_lines[r],
           "row has " + std::to_string(records[r].size()) + " fields, the header has " +
               std::to_string(table.header.size()));
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

std::size_t require_column(const CsvTable& table, const std::string& name,
                           const std::string& source_name) {
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
