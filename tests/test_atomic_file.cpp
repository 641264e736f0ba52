#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "experiment/io/atomic_file.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

TEST_CASE("write_file_atomically creates parents, replaces content and leaves no temp file") {
  poda_test::TempDir dir("poda_atomic");
  std::string path = (dir.path / "a" / "b" / "file.txt").string();
  poda::write_file_atomically(path, "first");
  CHECK(poda::read_file(path) == "first");
  poda::write_file_atomically(path, std::string("second\0bytes", 12));
  CHECK(poda::read_file(path) == std::string("second\0bytes", 12));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "a" / "b")) {
    CAPTURE(e.path().string());
    ++files;
  }
  CHECK(files == 1);
}

TEST_CASE("write_file_atomically names the path and errno text on failure") {
  poda_test::TempDir dir("poda_atomic");
  // A regular file where a parent folder should be.
  std::string blocker = (dir.path / "blocker").string();
  poda::write_file_atomically(blocker, "x");
  std::string path = blocker + "/child.txt";
  try {
    poda::write_file_atomically(path, "data");
    FAIL("expected FileWriteError");
  } catch (const poda::FileWriteError& e) {
    std::string msg = e.what();
    CAPTURE(msg);
    CHECK(msg.find("blocker") != std::string::npos);
  }
  CHECK_THROWS_AS(poda::read_file((dir.path / "missing").string()), poda::FileWriteError);
  try {
    poda::read_file((dir.path / "missing").string());
  } catch (const poda::FileWriteError& e) {
    CHECK(std::string(e.what()).find("No such file") != std::string::npos);
  }
}

TEST_CASE("append_line_durably appends whole lines and recovers after a torn line") {
  poda_test::TempDir dir("poda_atomic");
  std::string path = (dir.path / "logs" / "metrics.jsonl").string();
  CHECK(poda::read_complete_lines(path).empty());
  poda::append_line_durably(path, R"({"epoch":1})");
  poda::append_line_durably(path, R"({"epoch":2})");
  CHECK(poda::read_complete_lines(path) ==
        std::vector<std::string>{R"({"epoch":1})", R"({"epoch":2})"});

  // Simulate a torn final line left by a crash.
  { std::ofstream(path, std::ios::app) << R"({"epo)"; }
  CHECK(poda::read_complete_lines(path).size() == 2);
  poda::append_line_durably(path, R"({"epoch":3})");
  auto lines = poda::read_complete_lines(path);
  REQUIRE(lines.size() == 4);
  CHECK(lines[2] == R"({"epo)");  // the fragment stays on its own line
  CHECK(lines[3] == R"({"epoch":3})");

  CHECK_THROWS_AS(poda::append_line_durably(path, "two\nlines"), poda::FileWriteError);
}

TEST_CASE("append_line_durably from concurrent processes never interleaves lines") {
  poda_test::TempDir dir("poda_atomic");
  std::string path = (dir.path / "shared.jsonl").string();
  const int kProcs = 4, kLines = 100;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::string line(200, static_cast<char>('a' + p));
      for (int i = 0; i < kLines; ++i) poda::append_line_durably(path, line);
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
  }
  auto lines = poda::read_complete_lines(path);
  CHECK(lines.size() == static_cast<std::size_t>(kProcs * kLines));
  for (const auto& line : lines) {
    REQUIRE(line.size() == 200);
    CHECK(line.find_first_not_of(line[0]) == std::string::npos);
  }
}
