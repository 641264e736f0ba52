// End to end: results that cannot be silently corrupted (a tampered result.csv or final.ckpt,
// a damaged dense.ckpt, temp files of killed writes) and one writer per results folder (two
// `poda run` at once, the parent killed alone while its workers run).
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli_process.h"
#include "experiment/io/file_lock.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kTimings = poda_test::timing_columns();

// Two one-shot runs from one shared dense model.
std::string two_runs() {
  return poda_test::tiny_config("tiny", 1, "  prune.sparsity: [0.5, 0.8]\n");
}

// Four runs, slow enough (~0.3 s each) to be interrupted in the middle.
std::string four_runs() {
  return poda_test::tiny_config(
      "tiny", 4, "  prune.sparsity: [0.5, 0.8]\n  prune.schedule.kind: [one_shot, iterative]\n", "",
      256);
}

void flip_byte(const fs::path& path, std::size_t offset_from_end) {
  std::string bytes = poda_test::read_text(path);
  REQUIRE(bytes.size() > offset_from_end);
  bytes[bytes.size() - 1 - offset_from_end] ^= 0x01;
  poda_test::write_text(path, bytes);
}

// The one pretraining folder of a results folder.
fs::path pretrain_folder(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir / "pretrain")) found.push_back(e.path());
  REQUIRE(found.size() == 1);
  return found.front();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// runs.csv of `dir` equals `reference` row for row, timings aside.
void check_same_rows(const fs::path& dir, const poda::CsvTable& reference) {
  const poda::CsvTable got = poda_test::read_csv(dir / "runs.csv");
  CHECK(poda_test::without_columns(got, kTimings).header ==
        poda_test::without_columns(reference, kTimings).header);
  CHECK(poda_test::without_columns(got, kTimings).rows ==
        poda_test::without_columns(reference, kTimings).rows);
}

// The pids of the children of `pid` (its forked workers).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (fs::directory_iterator it(tasks, ec), end; !ec && it != end; it.increment(ec)) {
    std::ifstream in(it->path() / "children");
    for (pid_t child; in >> child;) out.push_back(child);
  }
  return out;
}

bool gone_or_zombie(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = poda_test::read_text("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t paren = stat.rfind(')');
  return paren == std::string::npos || stat.substr(paren + 2, 1) == "Z";
}

}  // namespace

TEST_CASE("integrity: a tampered result.csv or final.ckpt is listed by report, then redone") {
  poda_test::TempDir tmp("poda_cli_integrity");
  poda_test::write_text(tmp.path / "tiny.yaml", two_runs());
  const fs::path dir = tmp.path / "results" / "tiny";
  const std::vector<std::string> args = {"run", (tmp.path / "tiny.yaml").string(), "--results",
                                         (tmp.path / "results").string()};
  const poda_test::Finished first = poda_test::run_poda(args, tmp.path, "first");
  INFO("first stderr:\n" << first.err);
  REQUIRE(first.code == poda::kExitOk);
  const poda::CsvTable reference = poda_test::read_csv(dir / "runs.csv");
  REQUIRE(reference.rows.size() == 2);

  flip_byte(dir / "runs" / "sparsity=0.5" / "result.csv", 20);  // inside the row
  flip_byte(dir / "runs" / "sparsity=0.8" / "final.ckpt", 100);

  const poda_test::Finished report = poda_test::run_poda({"report", dir.string()}, tmp.path, "rep");
  INFO("report stderr:\n" << report.err);
  CHECK(report.code == poda::kExitRunsFailed);
  CHECK(report.err.find("poda: run sparsity=0.5 left out of runs.csv: ") != std::string::npos);
  CHECK(report.err.find("poda: run sparsity=0.8 left out of runs.csv: ") != std::string::npos);
  CHECK(report.err.find("final.ckpt: CRC-32 ") != std::string::npos);
  const std::string md = poda_test::read_text(dir / "report.md");
  CHECK(count_of(md, "is left out: its result cannot be trusted") == 2);
  // Left out as it says: neither runs.csv nor the summary holds them.
  CHECK(poda_test::read_csv(dir / "runs.csv").rows.empty());
  CHECK(md.find("| 0.8") == std::string::npos);

  const poda_test::Finished again = poda_test::run_poda(args, tmp.path, "again");
  INFO("again stderr:\n" << again.err);
  CHECK(again.code == poda::kExitOk);
  CHECK(again.err.find("poda: run sparsity=0.5: ") != std::string::npos);
  CHECK(count_of(again.err, "; running it again") == 2);
  CHECK(again.err.find("start sparsity=0.5\n") != std::string::npos);
  CHECK(again.err.find("start sparsity=0.8\n") != std::string::npos);
  check_same_rows(dir, reference);
}

TEST_CASE("integrity: a damaged dense.ckpt is trained again, stale temp files are removed") {
  poda_test::TempDir tmp("poda_cli_integrity");
  poda_test::write_text(tmp.path / "tiny.yaml", two_runs());
  const fs::path dir = tmp.path / "results" / "tiny";
  const std::vector<std::string> args = {"run", (tmp.path / "tiny.yaml").string(), "--results",
                                         (tmp.path / "results").string()};
  REQUIRE(poda_test::run_poda(args, tmp.path, "first").code == poda::kExitOk);
  const poda::CsvTable reference = poda_test::read_csv(dir / "runs.csv");

  const fs::path pretrain = pretrain_folder(dir);
  flip_byte(pretrain / "dense.ckpt", 50);
  fs::remove(dir / "runs" / "sparsity=0.8" / "result.csv");  // one run left to do
  poda_test::write_text(dir / "runs.csv.tmp.Zz9Yy8", "torn");
  poda_test::write_text(pretrain / "dense.ckpt.tmp.Qq1Ww2", "torn");

  const poda_test::Finished again = poda_test::run_poda(args, tmp.path, "again");
  INFO("again stderr:\n" << again.err);
  CHECK(again.code == poda::kExitOk);  // it used to fail the run: "pretraining failed"
  CHECK(again.err.find("training the dense model again: ") != std::string::npos);
  CHECK(again.err.find("removed 2 temporary files of writes that were killed") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(dir / "runs.csv.tmp.Zz9Yy8"));
  CHECK_FALSE(fs::exists(pretrain / "dense.ckpt.tmp.Qq1Ww2"));
  check_same_rows(dir, reference);  // the dense model trained again is the same model
}

TEST_CASE("concurrency: poda run waits, saying so, while another process holds the folder") {
  poda_test::TempDir tmp("poda_cli_two_writers");
  poda_test::write_text(tmp.path / "tiny.yaml", two_runs());
  const fs::path results = tmp.path / "results", dir = results / "tiny";
  std::vector<std::string> argv = {poda_test::poda_binary(), "run",
                                   (tmp.path / "tiny.yaml").string(), "--results",
                                   results.string()};
  const std::string log = (tmp.path / "run.log").string();
  std::optional<poda::FileLock> held =
      poda::FileLock::try_acquire((dir / ".lock").string(), poda::FileLock::Mode::exclusive);
  REQUIRE(held);
  held->note("pid 4242 on elsewhere\n");
  poda_test::Child child(argv, log, log);
  REQUIRE(child.started());
  const bool waiting = poda_test::wait_until(
      [&] { return poda_test::read_text(log).find("poda: waiting: ") != std::string::npos; }, 60s);
  INFO("log:\n" << poda_test::read_text(log));
  REQUIRE(waiting);
  CHECK(poda_test::read_text(log).find("another poda run (pid 4242 on elsewhere) is writing " +
                                       dir.string()) != std::string::npos);
  std::this_thread::sleep_for(300ms);
  CHECK(child.running());
  CHECK_FALSE(fs::exists(dir / "runs"));  // nothing written while the other holds the folder
  held.reset();
  const std::optional<int> code = child.wait(120s);
  REQUIRE(code);
  CHECK(*code == poda::kExitOk);
  CHECK(poda_test::read_csv(dir / "runs.csv").rows.size() == 2);
}

TEST_CASE("concurrency: two poda run on one folder at once run each run once") {
  poda_test::TempDir tmp("poda_cli_two_writers");
  poda_test::write_text(tmp.path / "tiny.yaml", four_runs());
  const fs::path results = tmp.path / "results", dir = results / "tiny";
  std::vector<std::string> args = {
      "run", (tmp.path / "tiny.yaml").string(), "--results", results.string(), "--jobs", "2"};
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), poda_test::poda_binary());
  const std::string log_a = (tmp.path / "a.log").string(), log_b = (tmp.path / "b.log").string();
  std::optional<int> code_a, code_b;
  {
    poda_test::Child a(argv, log_a, log_a), b(argv, log_b, log_b);
    REQUIRE(a.started());
    REQUIRE(b.started());
    code_a = a.wait(120s);
    code_b = b.wait(120s);
  }
  const std::string logs = poda_test::read_text(log_a) + poda_test::read_text(log_b);
  INFO("logs:\n" << logs);
  REQUIRE(code_a);
  REQUIRE(code_b);
  CHECK(*code_a == poda::kExitOk);
  CHECK(*code_b == poda::kExitOk);
  CHECK(count_of(logs, " start ") == 5);  // one pretraining and four runs, each once
  const poda::CsvTable rows = poda_test::read_csv(dir / "runs.csv");
  CHECK(rows.rows.size() == 4);

  args[3] = (tmp.path / "clean").string();
  REQUIRE(poda_test::run_poda(args, tmp.path, "clean").code == poda::kExitOk);
  check_same_rows(dir, poda_test::read_csv(tmp.path / "clean" / "tiny" / "runs.csv"));
}

TEST_CASE("concurrency: workers die with their parent, and the resume completes the sweep") {
  poda_test::TempDir tmp("poda_cli_orphans");
  poda_test::write_text(tmp.path / "tiny.yaml", four_runs());
  const fs::path results = tmp.path / "results", dir = results / "tiny";
  std::vector<std::string> args = {
      "run", (tmp.path / "tiny.yaml").string(), "--results", results.string(), "--jobs", "2"};
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), poda_test::poda_binary());
  const std::string log = (tmp.path / "first.log").string();
  std::vector<pid_t> workers;
  {
    poda_test::Child child(argv, log, log);
    REQUIRE(child.started());
    // Mid-sweep: two run workers are busy.
    const bool busy = poda_test::wait_until(
        [&] {
          workers = children_of(child.pid());
          return workers.size() == 2 && fs::exists(dir / "runs");
        },
        60s);
    INFO("log:\n" << poda_test::read_text(log));
    REQUIRE(busy);
    child.kill_parent();
  }
  for (const pid_t w : workers) {
    CAPTURE(w);
    CHECK(poda_test::wait_until([&] { return gone_or_zombie(w); }, 5s));
  }
  const poda_test::Finished resumed = poda_test::run_poda(args, tmp.path, "resumed", 120s);
  INFO("resumed stderr:\n" << resumed.err);
  CHECK(resumed.code == poda::kExitOk);
  CHECK(resumed.err.find("poda: waiting") == std::string::npos);  // nobody holds the lock
  args[3] = (tmp.path / "clean").string();
  REQUIRE(poda_test::run_poda(args, tmp.path, "clean", 120s).code == poda::kExitOk);
  check_same_rows(dir, poda_test::read_csv(tmp.path / "clean" / "tiny" / "runs.csv"));
}
