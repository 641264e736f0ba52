#include "experiment/io/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace poda {
namespace {

// Worker -> parent messages: 16 bytes, below PIPE_BUF, so writes never interleave.
struct Message {
  std::uint32_t kind;  // kStarted or kFinished
  std::uint32_t worker;
  std::uint64_t task;
};
constexpr std::uint32_t kStarted = 1, kFinished = 2;
constexpr std::uint64_t kNoTask = ~std::uint64_t{0};

void send(int fd, const Message& m) {
  while (::write(fd, &m, sizeof m) < 0 && errno == EINTR) {}
}

bool receive(int fd, Message& m) {
  auto* bytes = reinterpret_cast<char*>(&m);
  std::size_t got = 0;
  while (got < sizeof m) {
    ssize_t n = ::read(fd, bytes + got, sizeof m - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // every worker has closed its end
    got += static_cast<std::size_t>(n);
  }
  return true;
}

[[noreturn]] void worker_main(std::uint32_t worker, std::size_t n, std::atomic<std::uint64_t>* next,
                              int out, const std::function<void(std::size_t)>& task) {
  int code = 0;
  try {
    for (std::uint64_t i = next->fetch_add(1); i < n; i = next->fetch_add(1)) {
      send(out, {kStarted, worker, i});
      task(static_cast<std::size_t>(i));
      send(out, {kFinished, worker, i});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "poda: worker %u: %s\n", worker, e.what());
    code = 70;
  } catch (...) {
    code = 70;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  // _exit: the parent's atexit handlers and static destructors are not ours to run.
  ::_exit(code);
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "worker killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "worker exited with code " + std::to_string(WEXITSTATUS(status)) + " during the task";
}

}  // namespace

namespace {

// The forked workers of one run_tasks call, watched by the parent.
class Pool {
 public:
  Pool(std::size_t n, std::size_t workers, const std::function<void(std::size_t)>& task,
       const WorkerEvents& events)
      : n_(n),
        workers_(workers),
        task_(task),
        events_(events),
        pids_(workers, 0),
        current_(workers, kNoTask) {
    void* shared = ::mmap(nullptr, sizeof(std::atomic<std::uint64_t>), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
      throw std::runtime_error(std::string("cannot share the task counter: ") +
                               std::strerror(errno));
    next_ = new (shared) std::atomic<std::uint64_t>(0);
    if (::pipe2(fds_, O_CLOEXEC) != 0) {
      ::munmap(shared, sizeof *next_);
      throw std::runtime_error(std::string("cannot create the worker pipe: ") +
                               std::strerror(errno));
    }
  }
  ~Pool() {
    ::close(fds_[0]);
    ::close(fds_[1]);
    ::munmap(next_, sizeof *next_);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Returns whether any worker could be started.
  bool run() {
    // Buffered output would otherwise be printed once per worker.
    std::fflush(stdout);
    std::fflush(stderr);
    for (std::size_t w = 0; w < workers_; ++w) spawn(w);
    live_ = static_cast<std::size_t>(
        std::count_if(pids_.begin(), pids_.end(), [](pid_t p) { return p > 0; }));
    const bool any_started = live_ > 0;
    while (live_ > 0) {
      pollfd p{fds_[0], POLLIN, 0};
      ::poll(&p, 1, 100);
      drain();
      for (std::size_t w = 0; w < workers_; ++w) reap(w);
    }
    return any_started;
  }

 private:
  void spawn(std::size_t w) {
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
      // A worker dies with its parent: a resume after the parent alone was killed must not
      // find strays still running (and writing) the runs it is about to redo. getppid()
      // catches a parent that died before the request took effect.
      if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(70);
      ::close(fds_[0]);
      worker_main(static_cast<std::uint32_t>(w), n_, next_, fds_[1], task_);
    }
    pids_[w] = pid > 0 ? pid : 0;
  }

  void drain() {
    pollfd p{fds_[0], POLLIN, 0};
    Message m{};
    while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && receive(fds_[0], m)) {
      if (m.worker >= workers_ || m.task >= n_) continue;
      if (m.kind == kStarted) {
        current_[m.worker] = m.task;
        if (events_.started) events_.started(m.task);
      } else if (m.kind == kFinished) {
        current_[m.worker] = kNoTask;
        if (events_.finished) events_.finished(m.task);
      }
    }
  }

  // When worker w has exited: reports its task lost, if it had one, and replaces it.
  void reap(std::size_t w) {
    int status = 0;
    if (pids_[w] == 0 || ::waitpid(pids_[w], &status, WNOHANG) != pids_[w]) return;
    pids_[w] = 0;
    --live_;
    drain();  // a dead worker's last messages are all in the pipe by now
    if (current_[w] == kNoTask) return;
    if (events_.lost) events_.lost(current_[w], describe_exit(status));
    current_[w] = kNoTask;
    // A replacement takes the tasks the dead worker would have taken.
    if (next_->load() < n_) {
      spawn(w);
      if (pids_[w] > 0) ++live_;
    }
  }

  const std::size_t n_, workers_;
  const std::function<void(std::size_t)>& task_;
  const WorkerEvents& events_;
  std::atomic<std::uint64_t>* next_ = nullptr;
  int fds_[2] = {-1, -1};
  // pids_[w] of the live worker in slot w, or 0. The parent keeps the pipe's write end
  // to hand it to replacements, so it watches the workers rather than waiting for EOF.
  std::vector<pid_t> pids_;
  std::vector<std::uint64_t> current_;
  std::size_t live_ = 0;
};

}  // namespace

void run_tasks(std::size_t n, int jobs, const std::function<void(std::size_t)>& task,
               const WorkerEvents& events) {
  if (jobs <= 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) {
      if (events.started) events.started(i);
      task(i);
      if (events.finished) events.finished(i);
    }
    return;
  }
  Pool pool(n, std::min<std::size_t>(static_cast<std::size_t>(jobs), n), task, events);
  if (!pool.run())
    throw std::runtime_error(std::string("cannot fork workers: ") + std::strerror(errno));
}

}  // namespace poda
