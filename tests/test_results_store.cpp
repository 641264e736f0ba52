#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "experiment/io/atomic_file.h"
#include "experiment/io/csv.h"
#include "experiment/results/results_store.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

TEST_CASE("results store: layout, record, finished, rebuild with union of columns") {
  poda_test::TempDir tmp("poda_store");
  poda::ResultsStore store(tmp.str(), "demo");
  CHECK(store.dir() == tmp.str() + "/demo");
  store.write_config("name: demo\n");
  CHECK(poda::read_file(store.dir() + "/config.yaml") == "name: demo\n");
  CHECK(fs::is_directory(store.run_dir("a")));

  CHECK_FALSE(store.is_finished("a"));
  store.record("a", {{"acc", "0.9"}, {"sparsity", "0.5"}});
  store.record("b",
               {{"acc", "0.1"}, {"status", "failed"}, {"reason", "loss became NaN at epoch 2"}});
  store.record("c", {{"latency_ms", "1.5"}, {"acc", "0.8"}});
  CHECK(store.is_finished("a"));
  CHECK(store.is_finished("b"));
  CHECK_FALSE(store.is_finished("b", /*retry_failed=*/true));
  CHECK(store.is_finished("a", /*retry_failed=*/true));
  CHECK_FALSE(store.is_finished("d"));

  auto a = store.read_result("a");
  REQUIRE(a);
  CHECK(a->header == std::vector<std::string>{"run_id", "acc", "sparsity", "status"});
  CHECK(a->rows[0] == std::vector<std::string>{"a", "0.9", "0.5", "ok"});

  CHECK(store.rebuild_runs_csv({"c", "d", "b", "a"}) == 3);
  auto runs = poda::read_csv_file(store.runs_csv_path());
  CHECK(runs.header ==
        std::vector<std::string>{"run_id", "latency_ms", "acc", "status", "reason", "sparsity"});
  REQUIRE(runs.rows.size() == 3);
  CHECK(runs.rows[0] == std::vector<std::string>{"c", "1.5", "0.8", "ok", "", ""});
  CHECK(runs.rows[1] ==
        std::vector<std::string>{"b", "", "0.1", "failed", "loss became NaN at epoch 2", ""});
  CHECK(runs.rows[2] == std::vector<std::string>{"a", "", "0.9", "ok", "", "0.5"});
  CHECK(store.finished_run_ids() == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("results store: a torn or foreign result file means unfinished") {
  poda_test::TempDir tmp("poda_store");
  poda::ResultsStore store(tmp.str(), "demo");
  store.run_dir("torn");
  poda::write_file_atomically(store.result_path("torn"),
                              "run_id,status\n\"torn,ok\n");  // open quote
  store.run_dir("two");
  poda::write_file_atomically(store.result_path("two"), "run_id,status\ntwo,ok\ntwo,ok\n");
  store.run_dir("nostatus");
  poda::write_file_atomically(store.result_path("nostatus"), "run_id,acc\nnostatus,1\n");
  store.run_dir("empty");
  CHECK_FALSE(store.is_finished("torn"));
  CHECK_FALSE(store.is_finished("two"));
  CHECK_FALSE(store.is_finished("nostatus"));
  CHECK_FALSE(store.is_finished("empty"));
  CHECK(store.finished_run_ids().empty());
  CHECK(store.rebuild_runs_csv({"torn", "two"}) == 0);
}

TEST_CASE("results store: bad names, repeated columns, pretrain folders") {
  poda_test::TempDir tmp("poda_store");
  CHECK_THROWS_AS(poda::ResultsStore(tmp.str(), "a/b"), std::invalid_argument);
  CHECK_THROWS_AS(poda::ResultsStore(tmp.str(), ".."), std::invalid_argument);
  poda::ResultsStore store(tmp.str(), "demo");
  CHECK_THROWS_AS(store.run_dir("../x"), std::invalid_argument);
  CHECK_THROWS_AS(store.record("a", {{"acc", "1"}, {"acc", "2"}}), std::invalid_argument);
  CHECK_THROWS_AS(store.record("a", {{"run_id", "b"}}), std::invalid_argument);
  CHECK_FALSE(store.is_finished("a"));

  const std::string p1 = store.pretrain_dir("dataset=fmnist;model=lenet;seed=1");
  const std::string p2 = store.pretrain_dir("dataset=fmnist;model=lenet;seed=2");
  CHECK(p1 != p2);
  CHECK(p1 == store.pretrain_dir("dataset=fmnist;model=lenet;seed=1"));
  CHECK(fs::path(p1).parent_path() == fs::path(store.dir()) / "pretrain");
  CHECK(poda::read_file(p1 + "/key.txt") == "dataset=fmnist;model=lenet;seed=1\n");
}
