// The run record: runs.csv's schema, written and read through one definition.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "experiment/io/csv.h"
#include "experiment/results/run_record.h"
#include "test_paths.h"

namespace {

poda::CsvTable table_of(const poda::RunRow& row) {
  poda::CsvTable t;
  t.rows.emplace_back();
  for (const auto& [column, value] : row) {
    t.header.push_back(column);
    t.rows[0].push_back(value);
  }
  return poda::parse_csv(poda::to_csv(t), "runs.csv");  // through the text, as a file would
}

}  // namespace

TEST_CASE("run record: what is written reads back as the same typed values") {
  poda::RunRecord written;
  written.set("run_id", "sparsity=0.9_kind=iterative");
  written.set("seed", std::int64_t{3});
  written.set("schedule", "iterative");
  written.set("target_sparsity", 0.9);
  written.set("params", std::size_t{266610});
  written.set("acc", 0.87654321);              // written with the schema's 4 decimals
  written.set("latency_b64_us_compact", NAN);  // not measurable: an empty cell
  written.set("status", "ok");

  const poda::RunRow row = written.row();
  CHECK(row.front().first == "run_id");
  const poda::RunRecord read = poda::RunRecord::from_csv(table_of(row), 0);
  CHECK(read.text("run_id") == "sparsity=0.9_kind=iterative");
  CHECK(read.number("seed") == 3.0);
  CHECK(read.text("schedule") == "iterative");
  CHECK(read.number("target_sparsity") == 0.9);
  CHECK(read.number("params") == 266610.0);
  CHECK(read.number("acc") == written.number("acc"));
  CHECK(*read.number("acc") == doctest::Approx(0.8765).epsilon(1e-12));
  CHECK(!read.number("latency_b64_us_compact"));
  CHECK(read.has("latency_b64_us_compact"));  // one column of latency_b<B>_us_compact
  CHECK(read.row() == row);
}

TEST_CASE("run record: columns outside the schema or of the wrong type are programming errors") {
  poda::RunRecord r;
  CHECK_THROWS_AS(r.set("accuracy", 0.5), std::logic_error);  // not a column
  CHECK_THROWS_AS(r.set("acc", "high"), std::logic_error);    // a real column given text
  CHECK_THROWS_AS(r.set("params", 1.5), std::logic_error);    // a count given a real
  CHECK_THROWS_AS(r.set("status", 1), std::logic_error);
}

TEST_CASE("run record: a bad number names its column and cell") {
  poda::CsvTable t{{"run_id", "acc", "status"}, {{"r1", "high", "ok"}}};
  CHECK_THROWS_WITH_AS(poda::RunRecord::from_csv(t, 0), "column 'acc' is 'high', expected a number",
                       std::invalid_argument);
}

TEST_CASE("run record: swept keys are kept apart from the fixed columns, without duplicates") {
  SUBCASE("a swept key a fixed column records is written only there") {
    CHECK(poda::swept_column("prune.sparsity", "0.9") == "target_sparsity");
    CHECK(poda::swept_column("prune.schedule.kind", "iterative") == "schedule");
    CHECK(poda::swept_column("prune.granularity", "neuron") == "granularity");
    CHECK(poda::swept_column("seed", "2") == "seed");
  }
  SUBCASE("other swept keys, and structured values, get their own prefixed column") {
    CHECK(poda::swept_column("prune.schedule.rounds", "3") == "swept.prune.schedule.rounds");
    CHECK(poda::swept_column("prune.granularity", "{kind: channel}") == "swept.prune.granularity");
  }
  SUBCASE("reading: prefixed columns, and old folders' plain dotted columns, are swept keys") {
    CHECK(poda::swept_path("swept.train.lr") == "train.lr");
    CHECK(poda::swept_path("prune.rounds") == "prune.rounds");
    CHECK(!poda::swept_path("prune.sparsity"));  // an old folder's repeat of target_sparsity
    CHECK(!poda::swept_path("acc"));
  }
  SUBCASE("a row is ordered run_id, swept keys, then the schema") {
    const poda::RunRow row = poda::order_run_row(
        {{"acc", "0.9"}, {"swept.train.lr", "0.1"}, {"target_sparsity", "0.5"}, {"run_id", "r"}});
    CHECK(row == poda::RunRow{{"run_id", "r"},
                              {"swept.train.lr", "0.1"},
                              {"target_sparsity", "0.5"},
                              {"acc", "0.9"}});
  }
  const poda::RunRecord read = poda::RunRecord::from_csv(
      poda::CsvTable{{"run_id", "swept.train.lr", "acc"}, {{"r", "0.1", "0.9"}}}, 0);
  REQUIRE(read.swept().size() == 1);
  CHECK(read.swept()[0] == std::pair<std::string, std::string>{"train.lr", "0.1"});
  CHECK(!read.has("swept.train.lr"));
}

TEST_CASE("run record: the README lists every column of the schema") {
  std::ifstream in(poda_test::source_dir() + "/README.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const poda::RunColumn& c : poda::run_columns()) {
    CAPTURE(c.name);
    CHECK(text.str().find(std::string("`") + c.name + "`") != std::string::npos);
  }
}
