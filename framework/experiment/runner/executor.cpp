#include "experiment/runner/executor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <optional>

#include "experiment/io/worker_pool.h"

namespace poda {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// run_id and the swept keys first, then the callback's columns (which win on a clash).
RunRow full_row(const SweepPoint& point, const RunRow& computed) {
  RunRow row = point.swept;
  for (const auto& [column, value] : computed) {
    bool replaced = false;
    for (auto& existing : row)
      if (existing.first == column) {
        existing.second = value;
        replaced = true;
      }
    if (!replaced) row.emplace_back(column, value);
  }
  return row;
}

RunRow failed_row(const SweepPoint& point, const std::string& reason) {
  return full_row(point, {{"status", "failed"}, {"reason", reason}});
}

void execute_run(const RunPlan& plan, const ResultsStore& store, const RunFn& run, std::size_t index) {
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

void execute_pretrain(const RunPlan& plan, const ResultsStore& store, const PretrainFn& pretrain, std::size_t group,
                      bool retry_failed) {
  const PretrainGroup& g = plan.groups[group];
  try {
    pretrain(plan.points[g.runs.front()], store.pretrain_dir(g.key));
  } catch (const std::exception& e) {
    for (std::size_t i : g.runs)
      if (!store.is_finished(plan.points[i].run_id, retry_failed))
        store.record(plan.points[i].run_id, failed_row(plan.points[i], std::string("pretraining failed: ") + e.what()));
  }
}

// One line per task start and end, with counts and an ETA (train/progress.h draws epochs).
class SweepLog {
 public:
  SweepLog(std::FILE* log, std::string what, std::size_t total) : log_(log), what_(std::move(what)), total_(total) {}

  void started(std::size_t number, const std::string& name) {
    if (log_) std::fprintf(log_, "poda: %s %zu/%zu start %s\n", what_.c_str(), number, total_, name.c_str());
  }
  void ended(std::size_t number, const std::string& name, const std::string& outcome) {
    ++done_;
    if (!log_) return;
    const double elapsed = seconds_since(start_);
    std::string eta;
    if (done_ < total_) eta = ", ETA " + format_duration(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_));
    std::fprintf(log_, "poda: %s %zu/%zu %s %s (%zu/%zu done, %s elapsed%s)\n", what_.c_str(), number, total_,
                 outcome.c_str(), name.c_str(), done_, total_, format_duration(elapsed).c_str(), eta.c_str());
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
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

ExecutionSummary execute_plan(const RunPlan& plan, const ResultsStore& store, const RunFn& run,
                              const PretrainFn& pretrain, const ExecutorOptions& options) {
  const bool synchronised = static_cast<bool>(options.barrier);
  const SliceWork work = slice_work(plan, options.slice, synchronised);
  const bool writes_runs_csv = !synchronised || options.slice.index == 0;
  const std::vector<std::string> order = plan.run_ids();
  auto unfinished = [&](std::size_t i) { return !store.is_finished(plan.points[i].run_id, options.retry_failed); };

  ExecutionSummary summary;
  summary.planned = work.runs.size();

  std::vector<bool> finished_before(plan.points.size(), false);
  for (std::size_t i : work.runs) finished_before[i] = !unfinished(i);

  // Phase 1: each needed dense model once.
  std::vector<std::size_t> groups;
  for (std::size_t g : work.pretrain_groups) {
    bool needed = false;
    for (std::size_t i : plan.groups[g].runs) needed = needed || unfinished(i);
    if (needed && pretrain) groups.push_back(g);
  }
  std::vector<bool> pretrain_lost(plan.groups.size(), false);
  {
    SweepLog progress(options.log, "pretrain", groups.size());
    std::vector<std::size_t> number(groups.size());
    std::size_t started = 0;
    // The key is a whole YAML document; name the dense model by the runs that share it.
    auto label = [&](std::size_t t) {
      const PretrainGroup& g = plan.groups[groups[t]];
      return "dense model for " + std::to_string(g.runs.size()) + " run" +
             (g.runs.size() == 1 ? "" : "s") + " (" + plan.points[g.runs.front()].run_id +
             (g.runs.size() == 1 ? ")" : ", ...)");
    };
    WorkerEvents events;
    events.started = [&](std::size_t t) {
      number[t] = ++started;
      progress.started(number[t], label(t));
    };
    events.finished = [&](std::size_t t) { progress.ended(number[t], label(t), "done"); };
    events.lost = [&](std::size_t t, const std::string& why) {
      pretrain_lost[groups[t]] = true;
      progress.ended(number[t], label(t), "LOST (" + why + ")");
    };
    run_tasks(groups.size(), options.jobs,
              [&](std::size_t t) { execute_pretrain(plan, store, pretrain, groups[t], options.retry_failed); }, events);
  }
  if (synchronised) options.barrier();

  // Phase 2: the runs.
  std::vector<std::size_t> todo;
  for (std::size_t i : work.runs) {
    if (finished_before[i]) {
      ++summary.skipped;
    } else if (!unfinished(i)) {
      ++summary.failed;  // recorded failed by its group's pretraining just now
    } else if (pretrain_lost[plan.group_of[i]]) {
      ++summary.lost;  // its dense model was never saved
    } else {
      todo.push_back(i);
    }
  }
  if (options.log) {
    const int workers = std::max(1, std::min<int>(options.jobs, static_cast<int>(todo.size())));
    std::fprintf(options.log, "poda: %zu run%s in this %s, %zu already finished, %zu to run on %d worker%s\n",
                 summary.planned, summary.planned == 1 ? "" : "s",
                 synchronised || options.slice.count > 1 ? "slice" : "sweep", summary.skipped, todo.size(),
                 workers, workers > 1 ? "s" : "");
  }
  {
    SweepLog progress(options.log, "run", todo.size());
    std::vector<std::size_t> number(todo.size());
    std::size_t started = 0;
    WorkerEvents events;
    events.started = [&](std::size_t t) {
      number[t] = ++started;
      progress.started(number[t], plan.points[todo[t]].run_id);
    };
    events.finished = [&](std::size_t t) {
      const std::string& id = plan.points[todo[t]].run_id;
      std::string outcome = "?";
      if (auto result = store.read_result(id)) {
        outcome = result->rows[0][*find_column(*result, "status")];
        auto reason = find_column(*result, "reason");
        if (outcome == "ok") ++summary.ok;
        else ++summary.failed;
        if (outcome != "ok" && reason) outcome += " (" + result->rows[0][*reason] + ")";
      }
      progress.ended(number[t], id, outcome);
      if (writes_runs_csv && !synchronised) store.rebuild_runs_csv(order);
    };
    events.lost = [&](std::size_t t, const std::string& why) {
      ++summary.lost;
      progress.ended(number[t], plan.points[todo[t]].run_id, "LOST (" + why + "; no result, rerun to redo it)");
    };
    run_tasks(todo.size(), options.jobs, [&](std::size_t t) { execute_run(plan, store, run, todo[t]); }, events);
  }
  if (synchronised) options.barrier();
  if (writes_runs_csv) store.rebuild_runs_csv(order);
  return summary;
}

}  // namespace poda
