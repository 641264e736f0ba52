// End to end: `poda run` killed with SIGKILL in the middle of a sweep, then run again,
// completes the sweep without repeating the runs that had finished.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Slow enough per run (~0.3 s) that a kill after the first result lands mid-sweep.
const std::vector<std::string> kRunIds = {
    "sparsity=0.5_kind=one_shot", "sparsity=0.5_kind=iterative", "sparsity=0.8_kind=one_shot",
    "sparsity=0.8_kind=iterative"};

std::string resume_config() {
  return poda_test::tiny_config(
      "tiny", 4, "  prune.sparsity: [0.5, 0.8]\n  prune.schedule.kind: [one_shot, iterative]\n", "",
      256);
}

struct Snapshot {
  std::string content;
  fs::file_time_type mtime;
};

// The result.csv of every run finished so far.
std::map<std::string, Snapshot> finished_results(const fs::path& dir) {
  std::map<std::string, Snapshot> out;
  for (const std::string& id : kRunIds) {
    const fs::path p = dir / "runs" / id / "result.csv";
    std::error_code ec;
    if (fs::exists(p, ec)) out[id] = {poda_test::read_text(p), fs::last_write_time(p)};
  }
  return out;
}

std::size_t count_lines(const fs::path& p) {
  const std::string text = poda_test::read_text(p);
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

const std::vector<std::string> kTimings = poda_test::timing_columns();

// Starts `poda args`, SIGKILLs the whole process group as soon as the first run is recorded,
// and returns the runs that had finished.
std::map<std::string, Snapshot> kill_after_first_result(const std::vector<std::string>& args,
                                                        const fs::path& tmp, const fs::path& dir) {
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), poda_test::poda_binary());
  const std::string log = (tmp / "first.log").string();
  poda_test::Child child(argv, log, log);
  REQUIRE(child.started());
  const bool some_result = poda_test::wait_until(
      [&] {
        return !finished_results(dir).empty() || !child.running() || child.wait(0ms).has_value();
      },
      30s);
  INFO("first log:\n" << poda_test::read_text(log));
  REQUIRE(some_result);
  REQUIRE_MESSAGE(child.running(),
                  "the sweep ended before it could be killed; make the runs slower");
  child.kill_group();
  std::map<std::string, Snapshot> before = finished_results(dir);
  INFO("finished before the kill: " << before.size());
  REQUIRE(!before.empty());
  REQUIRE_MESSAGE(before.size() < kRunIds.size(),
                  "every run finished before the kill; make the runs slower");
  return before;
}

// No torn runs.csv: if present it parses and holds only complete rows of finished runs.
void check_runs_csv_not_torn(const fs::path& dir, const std::map<std::string, Snapshot>& before) {
  if (fs::exists(dir / "runs.csv")) {
    const poda::CsvTable partial = poda_test::read_csv(dir / "runs.csv");
    for (const std::string& id : poda_test::column_values(partial, "run_id")) {
      CAPTURE(id);
      CHECK(before.count(id) == 1);
    }
    for (const std::string& status : poda_test::column_values(partial, "status"))
      CHECK(status == "ok");
  }
}

// The same rows (timings aside) and per-epoch logs as a run that was never interrupted:
// a redone run starts from a clean folder, not on top of the killed attempt's files.
void check_same_as_uninterrupted(const std::vector<std::string>& args, const fs::path& tmp,
                                 const poda::CsvTable& resumed, const fs::path& dir) {
  const fs::path clean_results = tmp / "clean";
  std::vector<std::string> clean_args = args;
  clean_args[3] = clean_results.string();
  const poda_test::Finished clean = poda_test::run_poda(clean_args, tmp, "clean");
  REQUIRE(clean.code == 0);
  const poda::CsvTable reference = poda_test::read_csv(clean_results / "tiny" / "runs.csv");
  CHECK(poda_test::without_columns(resumed, kTimings).header ==
        poda_test::without_columns(reference, kTimings).header);
  CHECK(poda_test::without_columns(resumed, kTimings).rows ==
        poda_test::without_columns(reference, kTimings).rows);
  for (const std::string& id : kRunIds) {
    CAPTURE(id);
    CHECK(count_lines(dir / "runs" / id / "metrics.jsonl") ==
          count_lines(clean_results / "tiny" / "runs" / id / "metrics.jsonl"));
  }
}

void kill_and_resume(int jobs) {
  CAPTURE(jobs);
  poda_test::TempDir tmp("poda_cli_resume");
  const fs::path config = tmp.path / "tiny.yaml";
  poda_test::write_text(config, resume_config());
  const fs::path results = tmp.path / "results", dir = results / "tiny";
  std::vector<std::string> args = {"run",    config.string(),     "--results", results.string(),
                                   "--jobs", std::to_string(jobs)};
  const std::map<std::string, Snapshot> before = kill_after_first_result(args, tmp.path, dir);
  check_runs_csv_not_torn(dir, before);

  // Resumed: runs to the end, and never starts a run that had finished.
  const poda_test::Finished second = poda_test::run_poda(args, tmp.path, "second");
  INFO("second stderr:\n" << second.err << "\nstdout:\n" << second.out);
  REQUIRE(second.code == 0);
  for (const auto& [id, snapshot] : before) {
    CAPTURE(id);
    CHECK(second.err.find("start " + id + "\n") == std::string::npos);
    const fs::path p = dir / "runs" / id / "result.csv";
    CHECK(poda_test::read_text(p) == snapshot.content);
    CHECK(fs::last_write_time(p) == snapshot.mtime);
  }
  const std::string summary = std::to_string(before.size()) + " already done";
  CHECK(second.err.find(summary) != std::string::npos);

  const poda::CsvTable resumed = poda_test::read_csv(dir / "runs.csv");
  CHECK(poda_test::column_values(resumed, "run_id") == kRunIds);
  for (const std::string& status : poda_test::column_values(resumed, "status"))
    CHECK(status == "ok");
  CHECK(fs::exists(dir / "report.md"));
  check_same_as_uninterrupted(args, tmp.path, resumed, dir);
}

}  // namespace

TEST_CASE("cli: poda run killed with SIGKILL mid-sweep resumes without repeating finished runs") {
  kill_and_resume(1);
}

TEST_CASE(
    "cli: poda run --jobs 2 killed with SIGKILL while workers run resumes without repeating "
    "finished runs") {
  kill_and_resume(2);
}
