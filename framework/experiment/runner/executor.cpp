#include "experiment/runner/executor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <optional>

#include "core/elapsed.h"
#include "experiment/io/atomic_file.h"
#include "experiment/io/file_lock.h"
#include "experiment/io/worker_pool.h"

namespace poda {
namespace {

using Clock = std::chrono::steady_clock;

// The swept keys (each in its runs.csv column, see results/run_record.h), then the
// callback's columns, which win on a clash: a fixed column holds the run's typed value.
RunRow full_row(const SweepPoint& point, const RunRow& computed) {
  RunRow row;
  for (const auto& [path, value] : point.swept) row.emplace_back(swept_column(path, value), value);
  for (const auto& [column, value] : computed) {
    bool replaced = false;
    for (auto& existing : row)
      if (existing.first == column) {
        existing.second = value;
        replaced = true;
      }
    if (!replaced) row.emplace_back(column, value);
  }
  return order_run_row(row);
}

RunRow failed_row(const SweepPoint& point, const std::string& reason) {
  return full_row(point, {{"status", "failed"}, {"reason", reason}});
}

void execute_run(const RunPlan& plan, const ResultsStore& store, const RunFn& run,
                 std::size_t index) {
  const SweepPoint& point = plan.points[index];
  RunRow row;
  try {
    row = full_row(point, run(point, store.fresh_run_dir(point.run_id)));
  } catch (const std::exception& e) {
    row = failed_row(point, e.what());
  } catch (...) {
    row = failed_row(point, "unknown exception");
  }
  store.record(point.run_id, row);  // the last act: from here on the run counts as finished
}

// One process trains each dense model: another slice or `poda run` that needs it waits
// here for the lock, then finds the checkpoint and keeps it.
FileLock lock_pretraining(const std::string& dir, std::FILE* log) {
  FileLock lock =
      FileLock::acquire(dir + "/.lock", FileLock::Mode::exclusive, [&](const std::string& holder) {
        if (!log) return;
        std::fprintf(log, "poda: waiting for another poda run (%s) pretraining in %s\n",
                     holder.c_str(), dir.c_str());
        std::fflush(log);
      });
  lock.note(lock_holder_note());
  remove_stale_temp_files(dir);  // of an attempt that was killed mid-write
  return lock;
}

void execute_pretrain(const RunPlan& plan, const ResultsStore& store, const PretrainFn& pretrain,
                      std::size_t group, const ExecutorOptions& options) {
  const PretrainGroup& g = plan.groups[group];
  try {
    const std::string dir = store.pretrain_dir(g.key);
    const FileLock lock = lock_pretraining(dir, options.log);
    pretrain(plan.points[g.runs.front()], dir);
  } catch (const std::exception& e) {
    for (std::size_t i : g.runs)
      if (!store.is_finished(plan.points[i].run_id, options.retry_failed))
        store.record(plan.points[i].run_id,
                     failed_row(plan.points[i], std::string("pretraining failed: ") + e.what()));
  }
}

// One line per task start and end, with counts and an ETA (train/progress.h draws epochs).
class SweepLog {
 public:
  SweepLog(std::FILE* log, std::string what, std::size_t total)
      : log_(log), what_(std::move(what)), total_(total) {}

  void started(std::size_t number, const std::string& name) {
    if (log_)
      std::fprintf(log_, "poda: %s %zu/%zu start %s\n", what_.c_str(), number, total_,
                   name.c_str());
  }
  void ended(std::size_t number, const std::string& name, const std::string& outcome) {
    ++done_;
    if (!log_) return;
    const double elapsed = seconds_since(start_);
    std::string eta;
    if (done_ < total_)
      eta = ", ETA " + format_duration(elapsed / static_cast<double>(done_) *
                                       static_cast<double>(total_ - done_));
    std::fprintf(log_, "poda: %s %zu/%zu %s %s (%zu/%zu done, %s elapsed%s)\n", what_.c_str(),
                 number, total_, outcome.c_str(), name.c_str(), done_, total_,
                 format_duration(elapsed).c_str(), eta.c_str());
    std::fflush(log_);
  }

 private:
  std::FILE* log_;
  std::string what_;
  std::size_t total_, done_ = 0;
  Clock::time_point start_ = Clock::now();
};

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

namespace {

// One phase on the worker pool, with a log line per task start and end.
struct Phase {
  const char* what;                                  // "pretrain" or "run", for the log
  std::function<std::string(std::size_t)> name;      // task -> what the log calls it
  std::function<void(std::size_t)> run;              // in a worker
  std::function<std::string(std::size_t)> finished;  // task -> outcome for the log
  std::function<std::string(std::size_t)> lost;      // the worker died mid-task: a note for the log
};

void run_phase(const Phase& phase, std::size_t tasks, const ExecutorOptions& options) {
  SweepLog progress(options.log, phase.what, tasks);
  std::vector<std::size_t> number(tasks);
  std::size_t started = 0;
  WorkerEvents events;
  events.started = [&](std::size_t t) {
    number[t] = ++started;
    progress.started(number[t], phase.name(t));
  };
  events.finished = [&](std::size_t t) {
    progress.ended(number[t], phase.name(t), phase.finished(t));
  };
  events.lost = [&](std::size_t t, const std::string& why) {
    const std::string note = phase.lost(t);
    progress.ended(number[t], phase.name(t), "LOST (" + why + note + ")");
  };
  run_tasks(tasks, options.jobs, phase.run, events);
}

// The key is a whole YAML document; name the dense model by the runs that share it.
std::string dense_model_label(const RunPlan& plan, const PretrainGroup& g) {
  return "dense model for " + std::to_string(g.runs.size()) + " run" +
         (g.runs.size() == 1 ? "" : "s") + " (" + plan.points[g.runs.front()].run_id +
         (g.runs.size() == 1 ? ")" : ", ...)");
}

// "ok", or the status and reason of the run's recorded result.
std::string run_outcome(const ResultsStore& store, const std::string& run_id,
                        ExecutionSummary& summary) {
  auto result = store.read_result(run_id);
  if (!result) return "?";
  std::string outcome = result->rows[0][*find_column(*result, "status")];
  auto reason = find_column(*result, "reason");
  if (outcome == "ok")
    ++summary.ok;
  else
    ++summary.failed;
  if (outcome != "ok" && reason) outcome += " (" + result->rows[0][*reason] + ")";
  return outcome;
}

class PlanExecution {
 public:
  PlanExecution(const RunPlan& plan, const ResultsStore& store, const ExecutorOptions& options)
      : plan_(plan),
        store_(store),
        options_(options),
        synchronised_(static_cast<bool>(options.barrier)),
        work_(slice_work(plan, options.slice, synchronised_)),
        order_(plan.run_ids()),
        pretrain_lost_(plan.groups.size(), false) {
    summary_.planned = work_.runs.size();
    // Once per run: the check reads the run's final.ckpt, which can be large.
    finished_before_.assign(plan.points.size(), false);
    for (std::size_t i = 0; i < plan.points.size(); ++i) finished_before_[i] = !unfinished(i);
  }

  // Phase 1: each needed dense model once.
  void pretrain_phase(const PretrainFn& pretrain) {
    std::vector<std::size_t> groups;
    for (std::size_t g : work_.pretrain_groups) {
      bool needed = false;
      for (std::size_t i : plan_.groups[g].runs) needed = needed || !finished_before_[i];
      if (needed && pretrain) groups.push_back(g);
    }
    Phase phase;
    phase.what = "pretrain";
    phase.name = [&](std::size_t t) { return dense_model_label(plan_, plan_.groups[groups[t]]); };
    phase.run = [&](std::size_t t) {
      execute_pretrain(plan_, store_, pretrain, groups[t], options_);
    };
    phase.finished = [](std::size_t) { return std::string("done"); };
    phase.lost = [&](std::size_t t) {
      pretrain_lost_[groups[t]] = true;
      return std::string();
    };
    run_phase(phase, groups.size(), options_);
    if (synchronised_) options_.barrier();
  }

  // Phase 2: the runs.
  void run_phase_of_runs(const RunFn& run) {
    const std::vector<std::size_t> todo = runs_to_do();
    const bool rebuild_each = !synchronised_;
    Phase phase;
    phase.what = "run";
    phase.name = [&](std::size_t t) { return plan_.points[todo[t]].run_id; };
    phase.run = [&](std::size_t t) { execute_run(plan_, store_, run, todo[t]); };
    phase.finished = [&](std::size_t t) {
      const std::string outcome = run_outcome(store_, plan_.points[todo[t]].run_id, summary_);
      if (options_.run_recorded) options_.run_recorded();
      if (rebuild_each) store_.rebuild_runs_csv(order_);
      return outcome;
    };
    phase.lost = [&](std::size_t) {
      ++summary_.lost;
      return std::string("; no result, rerun to redo it");
    };
    run_phase(phase, todo.size(), options_);
    if (synchronised_) options_.barrier();
    if (!synchronised_ || options_.slice.index == 0) store_.rebuild_runs_csv(order_);
  }

  const ExecutionSummary& summary() const { return summary_; }

 private:
  bool unfinished(std::size_t i) const {
    return !store_.is_finished(plan_.points[i].run_id, options_.retry_failed);
  }

  std::vector<std::size_t> runs_to_do() {
    std::vector<std::size_t> todo;
    for (std::size_t i : work_.runs) {
      if (finished_before_[i]) {
        ++summary_.skipped;
      } else if (!unfinished(i)) {
        ++summary_.failed;  // recorded failed by its group's pretraining just now
      } else if (pretrain_lost_[plan_.group_of[i]]) {
        ++summary_.lost;  // its dense model was never saved
      } else {
        todo.push_back(i);
      }
    }
    log_plan(todo.size());
    return todo;
  }

  void log_plan(std::size_t todo) const {
    if (!options_.log) return;
    const int workers = std::max(1, std::min<int>(options_.jobs, static_cast<int>(todo)));
    std::fprintf(options_.log,
                 "poda: %zu run%s in this %s, %zu already finished, %zu to run on %d worker%s\n",
                 summary_.planned, summary_.planned == 1 ? "" : "s",
                 synchronised_ || options_.slice.count > 1 ? "slice" : "sweep", summary_.skipped,
                 todo, workers, workers > 1 ? "s" : "");
  }

  const RunPlan& plan_;
  const ResultsStore& store_;
  const ExecutorOptions& options_;
  const bool synchronised_;
  const SliceWork work_;
  const std::vector<std::string> order_;
  std::vector<bool> finished_before_;
  std::vector<bool> pretrain_lost_;
  ExecutionSummary summary_;
};

}  // namespace

ExecutionSummary execute_plan(const RunPlan& plan, const ResultsStore& store, const RunFn& run,
                              const PretrainFn& pretrain, const ExecutorOptions& options) {
  PlanExecution execution(plan, store, options);
  execution.pretrain_phase(pretrain);
  execution.run_phase_of_runs(run);
  return execution.summary();
}

}  // namespace poda
