// Results that cannot be silently corrupted: result.csv's checksums over its row and the run's
// final.ckpt, the temp files of killed writes, the advisory locks of one writer per folder, and
// workers that die with their parent.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "experiment/io/atomic_file.h"
#include "experiment/io/file_lock.h"
#include "experiment/io/worker_pool.h"
#include "experiment/results/results_store.h"
#include "experiment/results/writer_lock.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

// Flips one byte of `path` at `offset` from its end.
void flip_byte(const std::string& path, std::size_t offset_from_end) {
  std::string bytes = poda::read_file(path);
  REQUIRE(bytes.size() > offset_from_end);
  bytes[bytes.size() - 1 - offset_from_end] ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Whether `pid` is gone or a zombie (a reparented worker may wait for a reaper).
bool dead(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');
  return paren == std::string::npos || text.substr(paren + 2, 1) == "Z";
}

}  // namespace

TEST_CASE("results integrity: result.csv carries checksums of its row and of final.ckpt") {
  poda_test::TempDir tmp("poda_integrity");
  poda::ResultsStore store(tmp.str(), "demo");
  const std::string ckpt = store.run_dir("a") + "/final.ckpt";
  poda::write_file_atomically(ckpt, std::string(100, 'w'));
  store.record("a", {{"acc", "0.9"}});
  store.record("b", {{"acc", "0.1"}, {"status", "failed"}, {"reason", "no checkpoint"}});
  CHECK(store.is_finished("a"));
  CHECK(store.is_finished("b"));
  CHECK(store.result_problem("a").empty());
  // The checksum columns stay in result.csv, out of the row the rest of poda sees.
  const std::string text = poda::read_file(store.result_path("a"));
  CHECK(text.rfind("run_id,acc,status,final_ckpt_crc32,result_crc32\na,0.9,ok,", 0) == 0);
  REQUIRE(store.read_result("a"));
  CHECK(store.read_result("a")->header == std::vector<std::string>{"run_id", "acc", "status"});
  // A failed run saved no final.ckpt: its checksum cell is empty.
  CHECK(poda::read_file(store.result_path("b")).find(",no checkpoint,,") != std::string::npos);

  SUBCASE("a changed value or status is not trusted") {
    poda::write_file_atomically(store.result_path("a"), replace_once(text, "0.9", "0.8"));
    CHECK_FALSE(store.read_result("a"));
    CHECK_FALSE(store.is_finished("a"));
    CHECK(store.result_problem("a").find("does not match its result_crc32") != std::string::npos);
    poda::write_file_atomically(store.result_path("a"), replace_once(text, ",ok,", ",failed,"));
    CHECK_FALSE(store.is_finished("a", /*retry_failed=*/false));
  }
  SUBCASE("a damaged or missing final.ckpt is not trusted") {
    flip_byte(ckpt, 10);
    CHECK(store.read_result("a"));  // the row itself is intact
    CHECK_FALSE(store.is_finished("a"));
    CHECK(store.result_problem("a").find("final.ckpt: CRC-32 ") != std::string::npos);
    CHECK(store.rebuild_runs_csv({"a", "b"}) == 1);  // runs.csv leaves it out
    fs::remove(ckpt);
    CHECK_FALSE(store.is_finished("a"));
    CHECK(store.result_problem("a").find("missing") != std::string::npos);
  }
  SUBCASE("a result without its checksum columns (older or foreign) is not trusted") {
    poda::write_file_atomically(store.result_path("a"), "run_id,acc,status\na,0.9,ok\n");
    CHECK_FALSE(store.is_finished("a"));
  }
  SUBCASE("unreadable runs are listed with their problem, unfinished ones are not") {
    flip_byte(store.result_path("b"), 3);
    store.run_dir("never_finished");
    const auto unreadable = store.unreadable_runs();
    REQUIRE(unreadable.size() == 1);
    CHECK(unreadable[0].first == "b");
    CHECK(unreadable[0].second.find("result.csv") != std::string::npos);
  }
  CHECK(store.result_problem("nothing") == "no result");
}

TEST_CASE("results integrity: stale temp files of killed writes are removed, nothing else") {
  poda_test::TempDir tmp("poda_integrity");
  for (const char* name : {"runs.csv.tmp.Ab12Cd", "pretrain/x/dense.ckpt.tmp.000000", "runs.csv",
                           "notes.tmp", "a.tmp.toolong1", "b.tmp.ab-cd!", ".lock"})
    poda::write_file_atomically(tmp.file(name), "x");
  CHECK(poda::remove_stale_temp_files(tmp.str()) == 2);
  CHECK_FALSE(fs::exists(tmp.file("runs.csv.tmp.Ab12Cd")));
  CHECK_FALSE(fs::exists(tmp.file("pretrain/x/dense.ckpt.tmp.000000")));
  for (const char* name : {"runs.csv", "notes.tmp", "a.tmp.toolong1", "b.tmp.ab-cd!", ".lock"})
    CHECK(fs::exists(tmp.file(name)));
  CHECK(poda::remove_stale_temp_files(tmp.file("missing")) == 0);
}

TEST_CASE("file locks: exclusive excludes, shared shares, release on destruction") {
  poda_test::TempDir tmp("poda_lock");
  using Mode = poda::FileLock::Mode;
  const std::string path = tmp.file("sub/.lock");
  {
    auto first = poda::FileLock::try_acquire(path, Mode::exclusive);
    REQUIRE(first);
    first->note("pid 1 on here\n");
    CHECK_FALSE(poda::FileLock::try_acquire(path, Mode::exclusive));
    CHECK_FALSE(poda::FileLock::try_acquire(path, Mode::shared));
    CHECK(poda::read_file(path) == "pid 1 on here\n");
  }
  auto a = poda::FileLock::try_acquire(path, Mode::shared);
  auto b = poda::FileLock::try_acquire(path, Mode::shared);
  CHECK(a);
  CHECK(b);
  CHECK_FALSE(poda::FileLock::try_acquire(path, Mode::exclusive));
  a.reset();
  b.reset();
  CHECK(poda::FileLock::try_acquire(path, Mode::exclusive));
}

TEST_CASE("writer lock: slices of one sweep coexist, a whole run or the same slice waits") {
  poda_test::TempDir tmp("poda_lock");
  using Mode = poda::FileLock::Mode;
  const std::string dir = tmp.str();
  {
    const poda::WriterLock whole(dir, 0, 1, nullptr);
    CHECK(whole.sole_writer());
    CHECK_FALSE(poda::FileLock::try_acquire(dir + "/.lock", Mode::shared));
    CHECK(poda::read_file(dir + "/.lock").rfind("pid " + std::to_string(::getpid()), 0) == 0);
  }
  const poda::WriterLock slice0(dir, 0, 2, nullptr);
  CHECK_FALSE(slice0.sole_writer());
  const poda::WriterLock slice1(dir, 1, 2, nullptr);  // would wait forever if they excluded
  CHECK_FALSE(poda::FileLock::try_acquire(dir + "/.lock", Mode::exclusive));
  CHECK_FALSE(poda::FileLock::try_acquire(dir + "/.lock.slice-0-of-2", Mode::exclusive));
}

TEST_CASE("worker pool: the workers die with their parent") {
  poda_test::TempDir tmp("poda_orphans");
  const std::string pids = tmp.file("pids");
  // A parent of two workers that sleep: killed alone, it must take them with it.
  const pid_t parent = ::fork();
  REQUIRE(parent >= 0);
  if (parent == 0) {
    poda::run_tasks(2, 2,
                    [&](std::size_t) {
                      poda::append_line_durably(pids, std::to_string(::getpid()));
                      std::this_thread::sleep_for(std::chrono::seconds(60));
                    },
                    {});
    ::_exit(0);
  }
  std::vector<std::string> lines;
  for (int i = 0; i < 2000 && lines.size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lines = poda::read_complete_lines(pids);
  }
  REQUIRE(lines.size() == 2);
  ::kill(parent, SIGKILL);
  ::waitpid(parent, nullptr, 0);
  for (const std::string& line : lines) {
    const pid_t worker = static_cast<pid_t>(std::stol(line));
    CAPTURE(worker);
    bool gone = false;
    for (int i = 0; i < 1000 && !gone; ++i) {
      gone = dead(worker);
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(gone);
    if (!gone) ::kill(worker, SIGKILL);
  }
}
