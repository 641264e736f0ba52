#include <doctest/doctest.h>

#include <string>

#include "experiment/io/csv.h"

using poda::CsvTable;

namespace {

std::string error_of(const std::string& text) {
  try {
    poda::parse_csv(text, "runs.csv");
  } catch (const poda::CsvError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("to_csv quotes only fields that need it and parse_csv reads them back") {
  CsvTable t;
  t.header = {"run_id", "note", "acc"};
  t.rows = {{"r1", "plain", "0.9"},
            {"r2", "has,comma", "0.8"},
            {"r3", "say \"hi\"", ""},
            {"r4", "two\nlines", " padded "}};
  std::string text = poda::to_csv(t);
  CHECK(text.substr(0, text.find('\n')) == "run_id,note,acc");
  CHECK(text.find("r1,plain,0.9\n") != std::string::npos);
  CHECK(text.find("\"has,comma\"") != std::string::npos);
  CHECK(text.find("\"say \"\"hi\"\"\"") != std::string::npos);
  CsvTable back = poda::parse_csv(text, "mem");
  CHECK(back.header == t.header);
  CHECK(back.rows == t.rows);
}

TEST_CASE("parse_csv accepts CRLF, blank lines and a missing final newline") {
  CsvTable t = poda::parse_csv("a,b\r\n1,2\r\n\r\n3,\"4\"", "x.csv");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"1", "2"});
  CHECK(t.rows[1] == std::vector<std::string>{"3", "4"});
}

TEST_CASE("a single-column table with an empty cell survives a round trip") {
  CsvTable t{{"only"}, {{""}, {"x"}}};
  CsvTable back = poda::parse_csv(poda::to_csv(t), "mem");
  CHECK(back.rows == t.rows);
}

TEST_CASE("parse_csv errors name the source and line") {
  CHECK(error_of("a,b\n1,2\n3\n") == "runs.csv:3: row has 1 fields, the header has 2");
  CHECK(error_of("a,b\n1,\"open\n2,3\n").find("runs.csv:2: a quoted field is not closed") == 0);
  CHECK(error_of("a,b\n1,x\"y\n").find("runs.csv:2: a double quote inside") == 0);
  CHECK(error_of("a,b\n\"q\"x,1\n").find("runs.csv:2: unexpected character 'x'") == 0);
  CHECK(error_of("a,a\n").find("runs.csv:1: column 'a' appears twice") == 0);
  CHECK(error_of("a,,b\n").find("runs.csv:1: column 2") == 0);
  CHECK(error_of("").find("runs.csv:1: empty file") == 0);
  // A quoted field spanning lines shifts the line count of later errors.
  CHECK(error_of("a,b\n\"x\ny\",1\n2\n") == "runs.csv:4: row has 1 fields, the header has 2");
}

TEST_CASE("read_csv_file names a missing file") {
  try {
    poda::read_csv_file("no/such/runs.csv");
    FAIL("expected CsvError");
  } catch (const poda::CsvError& e) {
    CHECK(std::string(e.what()).find("no/such/runs.csv") != std::string::npos);
  }
}

TEST_CASE("column lookup by name") {
  CsvTable t{{"run_id", "acc"}, {}};
  CHECK(poda::find_column(t, "acc") == 1u);
  CHECK(!poda::find_column(t, "latency_ms"));
  CHECK(poda::require_column(t, "run_id", "runs.csv") == 0);
  try {
    poda::require_column(t, "status", "results/q/runs.csv");
    FAIL("expected CsvError");
  } catch (const poda::CsvError& e) {
    CHECK(std::string(e.what()) == "results/q/runs.csv: missing column 'status'");
  }
}

TEST_CASE("merge_tables takes the union of columns in first-seen order") {
  CsvTable a{{"run_id", "acc", "prune.sparsity"}, {{"r1", "0.9", "0.5"}}};
  CsvTable b{{"run_id", "latency_ms", "acc"}, {{"r2", "1.5", "0.8"}, {"r3", "2.0", "0.7"}}};
  CsvTable m = poda::merge_tables(a, b);
  CHECK(m.header == std::vector<std::string>{"run_id", "acc", "prune.sparsity", "latency_ms"});
  REQUIRE(m.rows.size() == 3);
  CHECK(m.rows[0] == std::vector<std::string>{"r1", "0.9", "0.5", ""});
  CHECK(m.rows[1] == std::vector<std::string>{"r2", "0.8", "", "1.5"});
  CHECK(m.rows[2] == std::vector<std::string>{"r3", "0.7", "", "2.0"});
  CsvTable empty;
  CHECK(poda::merge_tables(empty, a).header == a.header);
}
