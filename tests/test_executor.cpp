#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "experiment/io/atomic_file.h"
#include "experiment/io/csv.h"
#include "experiment/runner/executor.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

// 2 seeds x 4 sparsities = 8 runs in 2 pretraining groups.
poda::RunPlan small_plan() {
  auto points = poda::expand_sweep(
      YAML::Load("seed: 0\nprune: {sparsity: 0.5}\n"
                 "sweep:\n  seed: [1, 2]\n  prune.sparsity: [0.5, 0.8, 0.9, 0.95]\n"),
      "exp.yaml");
  return poda::make_run_plan(points, nullptr, [](const poda::SweepPoint& p) {
    return "seed=" + p.config["seed"].as<std::string>();
  });
}

// Every call is logged to a file, so calls made in forked workers are counted too.
struct CallLog {
  std::string path;
  void add(const std::string& what) const { poda::append_line_durably(path, what); }
  std::vector<std::string> calls() const {
    auto lines = poda::read_complete_lines(path);
    std::sort(lines.begin(), lines.end());
    return lines;
  }
};

poda::RunFn fake_run(const CallLog& log) {
  return [log](const poda::SweepPoint& p, const std::string& run_dir) -> poda::RunRow {
    log.add(p.run_id);
    if (!fs::is_directory(run_dir)) throw std::runtime_error("run dir missing");
    const double sparsity = p.config["prune"]["sparsity"].as<double>();
    if (sparsity == 0.95 && p.config["seed"].as<int>() == 2)
      throw std::runtime_error("loss became NaN at epoch 3");
    return {{"acc", std::to_string(1.0 - sparsity / 10)},
            {"seed", p.config["seed"].as<std::string>()}};
  };
}

poda::PretrainFn fake_pretrain(const CallLog& log) {
  return [log](const poda::SweepPoint& first, const std::string& dir) {
    log.add("pretrain " + first.config["seed"].as<std::string>());
    poda::write_file_atomically(dir + "/dense.ckpt", "weights");
  };
}

poda::ExecutorOptions quiet(int jobs = 1) {
  poda::ExecutorOptions o;
  o.jobs = jobs;
  o.log = nullptr;
  return o;
}

}  // namespace

TEST_CASE(
    "executor: rows, failures with reason, pretraining once per group, resume redoes only what is "
    "missing") {
  poda_test::TempDir tmp("poda_exec");
  poda::ResultsStore store(tmp.str(), "demo");
  const CallLog log{tmp.str() + "/calls.log"};
  const auto plan = small_plan();
  auto summary = poda::execute_plan(plan, store, fake_run(log), fake_pretrain(log), quiet());
  CHECK(summary.planned == 8);
  CHECK(summary.ok == 7);
  CHECK(summary.failed == 1);
  CHECK(summary.skipped == 0);
  const auto calls = log.calls();
  CHECK(calls.size() == 10);
  CHECK(std::count(calls.begin(), calls.end(), "pretrain 1") == 1);

  auto runs = poda::read_csv_file(store.runs_csv_path());
  // The swept seed and sparsity are written once, in their fixed columns.
  CHECK(runs.header ==
        std::vector<std::string>{"run_id", "seed", "target_sparsity", "acc", "status", "reason"});
  REQUIRE(runs.rows.size() == 8);
  CHECK(runs.rows[0] ==
        std::vector<std::string>{"seed=1_sparsity=0.5", "1", "0.5", "0.950000", "ok", ""});
  CHECK(runs.rows[7] == std::vector<std::string>{"seed=2_sparsity=0.95", "2", "0.95", "", "failed",
                                                 "loss became NaN at epoch 3"});

  // Nothing to do: finished runs (the failed one included) are skipped.
  fs::remove(log.path);
  summary = poda::execute_plan(plan, store, fake_run(log), fake_pretrain(log), quiet());
  CHECK(summary.skipped == 8);
  CHECK(log.calls().empty());

  // A lost result is redone, alone, after its group's pretraining (idempotent).
  fs::remove(store.result_path("seed=1_sparsity=0.8"));
  summary = poda::execute_plan(plan, store, fake_run(log), fake_pretrain(log), quiet());
  CHECK(summary.skipped == 7);
  CHECK(summary.ok == 1);
  CHECK(log.calls() == std::vector<std::string>{"pretrain 1", "seed=1_sparsity=0.8"});
  CHECK(poda::read_csv_file(store.runs_csv_path()).rows.size() == 8);

  // --retry-failed redoes the failed run only.
  fs::remove(log.path);
  auto options = quiet();
  options.retry_failed = true;
  summary = poda::execute_plan(plan, store, fake_run(log), fake_pretrain(log), options);
  CHECK(log.calls() == std::vector<std::string>{"pretrain 2", "seed=2_sparsity=0.95"});
  CHECK(summary.failed == 1);
}

TEST_CASE(
    "executor: a failed pretraining fails its group's runs with the reason, and the sweep goes "
    "on") {
  poda_test::TempDir tmp("poda_exec");
  poda::ResultsStore store(tmp.str(), "demo");
  const CallLog log{tmp.str() + "/calls.log"};
  auto pretrain = [](const poda::SweepPoint& first, const std::string&) {
    if (first.config["seed"].as<int>() == 1) throw std::runtime_error("dataset file missing");
  };
  auto summary = poda::execute_plan(small_plan(), store, fake_run(log), pretrain, quiet(2));
  CHECK(summary.failed == 5);
  CHECK(summary.ok == 3);
  CHECK(log.calls().size() == 4);  // only seed 2's runs ran
  auto result = store.read_result("seed=1_sparsity=0.9");
  REQUIRE(result);
  CHECK(result->rows[0][*poda::find_column(*result, "reason")] ==
        "pretraining failed: dataset file missing");
}

TEST_CASE("executor: --jobs 2 gives the same runs.csv as --jobs 1, each run once") {
  poda_test::TempDir tmp("poda_exec");
  std::map<int, std::string> csv;
  for (int jobs : {1, 2}) {
    CAPTURE(jobs);
    poda::ResultsStore store(tmp.str(), "jobs" + std::to_string(jobs));
    const CallLog log{tmp.str() + "/calls" + std::to_string(jobs) + ".log"};
    auto summary =
        poda::execute_plan(small_plan(), store, fake_run(log), fake_pretrain(log), quiet(jobs));
    CHECK(summary.ok == 7);
    CHECK(summary.lost == 0);
    auto calls = log.calls();
    CHECK(calls.size() == 10);
    CHECK(std::unique(calls.begin(), calls.end()) == calls.end());
    csv[jobs] = poda::read_file(store.runs_csv_path());
  }
  CHECK(csv[1] == csv[2]);
}

TEST_CASE("executor: kill -9 mid-sweep leaves complete rows only, and a rerun completes the rest") {
  poda_test::TempDir tmp("poda_exec");
  poda::ResultsStore store(tmp.str(), "demo");
  const CallLog log{tmp.str() + "/calls.log"};
  const auto plan = small_plan();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto run = fake_run(log);
    auto dying = [&](const poda::SweepPoint& p, const std::string& dir) {
      if (p.run_id == "seed=1_sparsity=0.95") ::raise(SIGKILL);  // the whole sweep dies here
      return run(p, dir);
    };
    poda::execute_plan(plan, store, dying, fake_pretrain(log), quiet());
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  auto runs = poda::read_csv_file(store.runs_csv_path());
  REQUIRE(runs.rows.size() == 3);
  for (const auto& row : runs.rows) CHECK(row.back() == "ok");
  for (const auto& e : fs::recursive_directory_iterator(store.dir())) {
    CAPTURE(e.path().string());
    CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
  }

  fs::remove(log.path);
  auto summary = poda::execute_plan(plan, store, fake_run(log), fake_pretrain(log), quiet());
  CHECK(summary.skipped == 3);
  CHECK(log.calls() == std::vector<std::string>{"pretrain 1", "pretrain 2", "seed=1_sparsity=0.95",
                                                "seed=2_sparsity=0.5", "seed=2_sparsity=0.8",
                                                "seed=2_sparsity=0.9", "seed=2_sparsity=0.95"});
  CHECK(poda::read_csv_file(store.runs_csv_path()).rows.size() == 8);
}

TEST_CASE(
    "executor: a worker that dies loses only its run — the others finish and a rerun redoes it") {
  poda_test::TempDir tmp("poda_exec");
  poda::ResultsStore store(tmp.str(), "demo");
  const CallLog log{tmp.str() + "/calls.log"};
  const auto plan = small_plan();
  auto run = fake_run(log);
  auto crashing = [&](const poda::SweepPoint& p, const std::string& dir) {
    if (p.run_id == "seed=2_sparsity=0.5") ::_exit(3);
    if (p.run_id == "seed=1_sparsity=0.5") ::raise(SIGKILL);
    return run(p, dir);
  };
  auto summary = poda::execute_plan(plan, store, crashing, fake_pretrain(log), quiet(2));
  CHECK(summary.lost == 2);
  CHECK(summary.ok + summary.failed == 6);
  CHECK(poda::read_csv_file(store.runs_csv_path()).rows.size() == 6);
  CHECK_FALSE(store.is_finished("seed=2_sparsity=0.5"));

  fs::remove(log.path);
  summary = poda::execute_plan(plan, store, fake_run(log), fake_pretrain(log), quiet(2));
  CHECK(summary.ok == 2);
  CHECK(log.calls() == std::vector<std::string>{"pretrain 1", "pretrain 2", "seed=1_sparsity=0.5",
                                                "seed=2_sparsity=0.5"});
}

TEST_CASE("executor: shards run disjoint slices and a merge gives the full runs.csv") {
  poda_test::TempDir tmp("poda_exec");
  poda::ResultsStore store(tmp.str(), "demo");
  const CallLog log{tmp.str() + "/calls.log"};
  const auto plan = small_plan();
  std::size_t planned = 0;
  for (int i = 0; i < 3; ++i) {
    auto options = quiet();
    options.slice = {i, 3};
    planned += poda::execute_plan(plan, store, fake_run(log), fake_pretrain(log), options).planned;
  }
  CHECK(planned == 8);
  auto calls = log.calls();
  calls.erase(std::remove_if(calls.begin(), calls.end(),
                             [](const std::string& c) { return c.rfind("pretrain", 0) == 0; }),
              calls.end());
  CHECK(calls.size() == 8);
  CHECK(std::unique(calls.begin(), calls.end()) == calls.end());  // no run twice
  CHECK(store.finished_run_ids().size() == 8);
  CHECK(store.rebuild_runs_csv(plan.run_ids()) == 8);
}

TEST_CASE("format_duration") {
  CHECK(poda::format_duration(0.4) == "0s");
  CHECK(poda::format_duration(59) == "59s");
  CHECK(poda::format_duration(187) == "3m07s");
  CHECK(poda::format_duration(3720) == "1h02m");
  CHECK(poda::format_duration(-1) == "?");
}
