#pragma once
// Runs independent tasks in forked worker processes: a crash in one task (a
// segfault, the OOM killer) costs that task only, never the sweep.
#include <cstddef>
#include <functional>
#include <string>

namespace poda {

// Called in the calling (parent) process, in the order the workers report.
struct WorkerEvents {
  std::function<void(std::size_t task)> started;
  std::function<void(std::size_t task)> finished;
  // The worker died during `task` (signal or exit without finishing it).
  std::function<void(std::size_t task, const std::string& why)> lost;
};

// Runs task(0 .. n-1). jobs <= 1: here, in order (no fork, so it is safe under MPI
// and exceptions propagate). jobs > 1: min(jobs, n) forked workers take the next
// task from a shared atomic counter, so a slow or dead worker never holds back the
// others; a task that throws in a worker ends that worker (reported as lost, the
// message on stderr) and the others carry on. A worker is killed (SIGKILL) when the calling
// process dies. Returns when every worker has exited.
void run_tasks(std::size_t n, int jobs, const std::function<void(std::size_t)>& task,
               const WorkerEvents& events);

}  // namespace poda
