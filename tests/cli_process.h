#pragma once
// Runs the real `poda` executable (or mpirun) as a child process for the end-to-end
// tests: its own process group (so a test can kill -9 it with its workers), output to
// files, and a timeout on every wait so a hung child fails the test instead of CI.
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "experiment/io/csv.h"
#include "experiment/results/run_record.h"
#include "test_paths.h"

namespace poda_test {

// Every wait here stretches by PODA_TEST_TIMEOUT_SCALE (an integer, default 1): poda runs
// several times slower under the sanitizers (`make test-asan` sets it), and a slow child
// must not be taken for a hung one.
inline int timeout_scale() {
  static const int scale = [] {
    const char* text = std::getenv("PODA_TEST_TIMEOUT_SCALE");
    const int value = text ? std::atoi(text) : 1;
    return value > 0 ? value : 1;
  }();
  return scale;
}


inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline poda::CsvTable read_csv(const std::filesystem::path& path) {
  return poda::parse_csv(read_text(path), path.string());
}

// Searches PATH like a shell would; empty when absent.
inline std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A child in its own process group, stdout and stderr to the given files.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& stdout_path,
        const std::string& stderr_path) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      const int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = stderr_path == stdout_path
                          ? out
                          : ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out < 0 || err < 0) ::_exit(126);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    if (pid_ > 0) ::setpgid(pid_, pid_);  // also here, so a kill right after fork finds the group
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (running()) kill_group();
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exited_; }

  // The exit code, or -signal; nullopt when it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout * timeout_scale();
    while (running()) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        finish(WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
        break;
      }
      if (r < 0 && errno != EINTR) {
        finish(-1000);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return exited_ ? std::optional<int>(status_) : std::nullopt;
  }

  // SIGKILL to the process alone (not the workers it forked), then reap it.
  void kill_parent() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    finish(-SIGKILL);
  }

  // SIGKILL to the whole group (the process and every worker it forked), then reap.
  void kill_group() {
    if (!running()) return;
    ::kill(-pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    finish(-SIGKILL);
    // Workers are reparented to init, which reaps them; wait until the group is empty.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::kill(-pid_, 0) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

 private:
  void finish(int status) {
    status_ = status;
    exited_ = true;
  }

  pid_t pid_ = -1;
  // A plain int and flag, not std::optional<int>: GCC 12 warns -Wmaybe-uninitialized on the
  // optional's payload at every inlined use.
  int status_ = 0;
  bool exited_ = false;
};

struct Finished {
  int code = -1;  // exit code, -signal, or -999 on timeout (the child is then killed)
  std::string out, err;
};

// Runs argv to completion with separate stdout/stderr files under `dir`, named by `tag`.
inline Finished run_command(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                            const std::string& tag,
                            std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const std::string out_path = (dir / (tag + ".out")).string(),
                    err_path = (dir / (tag + ".err")).string();
  Finished f;
  {
    Child child(argv, out_path, err_path);
    if (!child.started()) return f;
    auto code = child.wait(timeout);
    if (!code) child.kill_group();
    f.code = code ? *code : -999;
  }
  f.out = read_text(out_path);
  f.err = read_text(err_path);
  return f;
}

inline Finished run_poda(std::vector<std::string> args, const std::filesystem::path& dir,
                         const std::string& tag,
                         std::chrono::seconds timeout = std::chrono::seconds(60)) {
  args.insert(args.begin(), poda_binary());
  return run_command(args, dir, tag, timeout);
}

// Polls `done` every few milliseconds; false when `timeout` passes first.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout * timeout_scale();
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// The value of `column` in every row, in order.
inline std::vector<std::string> column_values(const poda::CsvTable& table,
                                              const std::string& column) {
  std::vector<std::string> values;
  const std::size_t c = poda::require_column(table, column, "table");
  for (const auto& row : table.rows) values.push_back(row[c]);
  return values;
}

// The runs.csv columns holding times, which differ between two runs of one sweep: every
// column of the schema whose name ends in "seconds".
inline std::vector<std::string> timing_columns() {
  std::vector<std::string> names;
  const std::string tail = "seconds";
  for (const poda::RunColumn& c : poda::run_columns()) {
    const std::string name = c.name;
    if (name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0)
      names.push_back(name);
  }
  return names;
}

// A table without the given columns (e.g. timings, which differ between two runs).
inline poda::CsvTable without_columns(poda::CsvTable table, const std::vector<std::string>& drop) {
  for (const std::string& name : drop) {
    auto c = poda::find_column(table, name);
    if (!c) continue;
    table.header.erase(table.header.begin() + static_cast<long>(*c));
    for (auto& row : table.rows) row.erase(row.begin() + static_cast<long>(*c));
  }
  return table;
}

// A small, fast experiment on Fashion-MNIST: 4 runs sharing one dense model.
// `extra_prune` and `sweep` replace the corresponding parts.
inline std::string tiny_config(const std::string& name = "tiny", int finetune_epochs = 1,
                               const std::string& sweep =
                                   "  prune.sparsity: [0.5, 0.8]\n"
                                   "  prune.schedule.kind: [one_shot, iterative]\n",
                               const std::string& extra_prune = "", int hidden = 32) {
  return "name: " + name +
         "\n"
         "seed: 1\n"
         "threads: 1\n"
         "dataset: {name: fashion-mnist, val_count: 200, train_limit: 1000, test_limit: 500}\n"
         "model:\n"
         "  layers:\n"
         "    - {type: flatten}\n"
         "    - {type: dense, out: " +
         std::to_string(hidden) +
         "}\n"
         "    - {type: relu}\n"
         "    - {type: dense, out: 10}\n"
         "train: {epochs: 1, batch_size: 64, lr: 0.05}\n"
         "prune:\n"
         "  criterion: magnitude\n"
         "  granularity: unstructured\n"
         "  sparsity: 0.5\n"
         "  schedule: {kind: one_shot, rounds: 3}\n"
         "  finetune_epochs: " +
         std::to_string(finetune_epochs) + "\n" + extra_prune + "sweep:\n" + sweep;
}

}  // namespace poda_test
