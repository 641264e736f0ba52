#include "cli/commands.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "cli/interrupt_note.h"

#include "experiment/io/atomic_file.h"
#include "experiment/config/config.h"
#include "experiment/config/config_source.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/executor.h"
#include "experiment/runner/pipeline.h"
#include "experiment/report/report.h"
#include "experiment/results/results_store.h"
#include "experiment/results/writer_lock.h"
#include "experiment/config/sweep.h"

namespace poda {

namespace {

struct LoadedExperiment {
  std::string text;  // the file as given, saved as results/<name>/config.yaml
  RunPlan plan;
  std::string name;
};

ExperimentConfig parse_point(const SweepPoint& point, const std::string& file) {
  return parse_experiment_config(point.config, file);
}

// Reads, expands and validates every point before anything runs, down to the headers of the
// dataset files (check_run_inputs).
LoadedExperiment load_experiment(const std::string& file, std::size_t max_runs) {
  LoadedExperiment e;
  e.text = read_config_file(file);
  const YAML::Node root = parse_config_text(e.text, file);
  if (!root || root.IsNull()) throw ConfigError(file + ": the file is empty");
  e.plan = make_run_plan(
      expand_sweep_source(e.text, file, max_runs),
      [&](const SweepPoint& p) { check_run_inputs(parse_point(p, file), p.config); },
      [&](const SweepPoint& p) { return pretrain_key(parse_point(p, file), p.config); });
  e.name = parse_point(e.plan.points.front(), file).name;
  for (const SweepPoint& p : e.plan.points)
    if (parse_point(p, file).name != e.name)
      throw ConfigError(file + ": run " + p.run_id + ": 'name' cannot vary within a sweep");
  return e;
}

std::string run_config_text(const SweepPoint& p) {
  return YAML::Dump(p.config) + "\n";
}

// A finished run whose config has changed since (the file was edited) is not finished any
// more: its result is dropped so the executor redoes it. Every MPI rank decides the same.
// A result that fails its checksums is not trusted either (the executor redoes it): say why.
void forget_changed_runs(const RunPlan& plan, const ResultsStore& store) {
  namespace fs = std::filesystem;
  for (const SweepPoint& p : plan.points) {
    if (!fs::exists(store.result_path(p.run_id))) continue;
    const std::string problem = store.result_problem(p.run_id);
    if (!problem.empty()) {
      fmt::print(stderr, "poda: run {}: {}; running it again\n", p.run_id, problem);
      continue;
    }
    const fs::path saved = fs::path(store.dir()) / "runs" / p.run_id / "config.yaml";
    std::error_code ec;
    if (fs::exists(saved) && read_file(saved.string()) == run_config_text(p)) continue;
    fmt::print(stderr, "poda: run {}: its config changed since it finished; running it again\n",
               p.run_id);
    fs::remove(store.result_path(p.run_id), ec);
  }
}

// "results/quick" -> ("results", "quick")
std::pair<std::string, std::string> split_results_dir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::size_t slash = dir.find_last_of('/');
  if (slash == std::string::npos) return {".", dir};
  return {dir.substr(0, slash), dir.substr(slash + 1)};
}

// "2 of 4 runs not ok: a (failed: reason); b (lost: no result)", or "" when all are ok.
std::string failed_runs_line(const RunPlan& plan, const ResultsStore& store,
                             const std::vector<std::size_t>& runs) {
  std::vector<std::string> failures;
  for (const std::size_t i : runs) {
    const std::string& id = plan.points[i].run_id;
    const std::optional<CsvTable> result = store.read_result(id);
    if (!result) {
      failures.push_back(id + " (lost: no result; run again to redo it)");
      continue;
    }
    auto cell = [&](const std::string& column) {
      const std::optional<std::size_t> c = find_column(*result, column);
      return c ? result->rows.front()[*c] : std::string();
    };
    if (cell("status") == "ok") continue;
    const std::string reason = cell("reason");
    failures.push_back(
        fmt::format("{} ({}{})", id, cell("status"), reason.empty() ? "" : ": " + reason));
  }
  if (failures.empty()) return "";
  return fmt::format("{} of {} run{} not ok: {}", failures.size(), runs.size(),
                     runs.size() == 1 ? "" : "s", fmt::join(failures, "; "));
}

// Runs of an earlier sweep under this name are kept on disk but not in this sweep's runs.csv:
// never hidden without a word.
void say_runs_outside(const ResultsStore& store, const std::vector<std::string>& others) {
  if (others.empty()) return;
  fmt::print(stderr,
             "poda: {} finished run{} in {}/runs {} not in this sweep; kept out of its runs.csv "
             "and report (poda report {} --all includes them)\n",
             others.size(), others.size() == 1 ? "" : "s", store.dir(),
             others.size() == 1 ? "is" : "are", store.dir());
}

// A results folder, or a folder on its way, that is a file: the user's input, said before any
// lock file is opened inside it.
void check_results_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    const fs::file_status st = fs::status(p, ec);
    if (fs::is_directory(st)) return;
    if (fs::exists(st)) throw UserError("results folder '" + p.string() + "' is a file");
    if (p == p.parent_path()) return;
  }
}

std::string resume_command(const RunOptions& o) {
  return "poda run " + o.config + " --results " + o.results_root +
         (o.shard.empty() ? "" : " --shard " + o.shard);
}

std::size_t finished_runs(const RunPlan& plan, const ResultsStore& store) {
  std::size_t n = 0;
  for (const SweepPoint& p : plan.points) n += store.is_finished(p.run_id) ? 1 : 0;
  return n;
}

// Workers, slice (--shard or this MPI rank) and barrier of the options.
ExecutorOptions executor_options(const RunOptions& options) {
  ExecutorOptions exec;
  exec.jobs = options.jobs;
  exec.retry_failed = options.retry_failed;
  if (!options.shard.empty()) exec.slice = parse_shard(options.shard);
  if (options.mpi_barrier) {
    exec.slice = options.mpi_slice;
    exec.barrier = options.mpi_barrier;
  }
  return exec;
}

}  // namespace

int command_check(const std::string& config_path, std::size_t max_runs) {
  const LoadedExperiment e = load_experiment(config_path, max_runs);
  std::size_t keyed = 0;
  for (const PretrainGroup& g : e.plan.groups) keyed += !g.key.empty();
  fmt::print("{}: ok, experiment '{}', {} run{}, {} dense pretraining{}\n", config_path, e.name,
             e.plan.points.size(), e.plan.points.size() == 1 ? "" : "s", keyed,
             keyed == 1 ? "" : "s");
  for (const SweepPoint& p : e.plan.points) fmt::print("  {}\n", p.run_id);
  return kExitOk;
}

int command_run(const RunOptions& options) {
  const LoadedExperiment e = load_experiment(options.config, options.max_runs);
  const ResultsStore store(options.results_root, e.name);
  const bool mpi = static_cast<bool>(options.mpi_barrier);
  ExecutorOptions exec = executor_options(options);
  check_results_folder(store.dir());
  const WriterLock writer(store.dir(), exec.slice.index, exec.slice.count, stderr);
  if (writer.sole_writer())
    if (const std::size_t n = remove_stale_temp_files(store.dir()))
      fmt::print(stderr, "poda: removed {} temporary file{} of writes that were killed\n", n,
                 n == 1 ? "" : "s");
  if (!mpi || options.mpi_slice.index == 0) store.write_config(e.text);
  if (mpi && options.mpi_slice.index == 0)  // each rank then says its own slice
    fmt::print(stderr, "poda: {} run{} planned in all, over {} MPI ranks\n", e.plan.points.size(),
               e.plan.points.size() == 1 ? "" : "s", options.mpi_slice.count);
  const bool parallel = options.jobs > 1 || mpi;
  auto config_of = [&](const SweepPoint& p) {
    ExperimentConfig c = parse_point(p, options.config);
    if (options.threads > 0) c.threads = options.threads;
    return c;
  };
  auto progress_for = [&](const std::string& context) {
    Progress progress(parallel ? Progress::Mode::lines : Progress::Mode::automatic);
    progress.set_context(context);
    return progress;
  };
  const RunFn run = [&](const SweepPoint& p, const std::string& run_dir) {
    const ExperimentConfig c = config_of(p);
    const std::string key = pretrain_key(c, p.config);
    write_file_atomically(run_dir + "/config.yaml", run_config_text(p));  // this point's values
    Progress progress = progress_for(p.run_id);
    return run_point(c, run_dir, key.empty() ? "" : store.pretrain_dir(key), progress);
  };
  const PretrainFn pretrain_fn = [&](const SweepPoint& p, const std::string& dir) {
    Progress progress = progress_for("pretrain");
    pretrain(config_of(p), dir, progress);
  };
  forget_changed_runs(e.plan, store);
  const InterruptNote note(store.runs_csv_path(), resume_command(options),
                           finished_runs(e.plan, store), e.plan.points.size());
  exec.run_recorded = InterruptNote::run_finished;
  const ExecutionSummary s = execute_plan(e.plan, store, run, pretrain_fn, exec);

  const bool writes_report = !mpi || options.mpi_slice.index == 0;
  if (writes_report) say_runs_outside(store, store.runs_outside(e.plan.run_ids()));
  // A --shard slice leaves the report to a final `poda report`; under MPI rank 0 has every row.
  if (writes_report && (mpi || exec.slice.count == 1)) {
    write_report(store.dir());
    fmt::print(stderr, "poda: report in {}/report.md\n", store.dir());
  }
  fmt::print(stderr, "poda: {} run{} planned, {} already done, {} ok, {} failed, {} lost\n",
             s.planned, s.planned == 1 ? "" : "s", s.skipped, s.ok, s.failed, s.lost);
  // Runs that failed before this call and were skipped count too: 0 means all are ok.
  const std::string failures =
      failed_runs_line(e.plan, store, slice_work(e.plan, exec.slice, mpi).runs);
  if (failures.empty()) return kExitOk;
  fmt::print(stderr, "poda: {}\n", failures);
  return kExitRunsFailed;
}

int command_report(const std::string& results_dir, std::size_t max_runs, bool include_all) {
  if (!std::filesystem::is_directory(results_dir))
    throw ConfigError(results_dir +
                      ": no such results folder (expected the folder of one "
                      "experiment, e.g. results/quickstart)");
  const auto [root, name] = split_results_dir(results_dir);
  const ResultsStore store(root, name);
  // Merge the result files (shards write only their own), in sweep order when the
  // experiment's config is there, else by run id.
  std::vector<std::string> order = store.finished_run_ids();
  const std::string config_path = store.dir() + "/config.yaml";
  if (std::ifstream(config_path)) {
    std::vector<std::string> sweep_order;
    load_yaml_file(config_path);  // syntax errors with their position
    for (const SweepPoint& p : expand_sweep_source(read_file(config_path), config_path, max_runs))
      sweep_order.push_back(p.run_id);
    order = sweep_order;
  }
  const std::vector<std::string> others = store.runs_outside(order);
  if (include_all)
    order.insert(order.end(), others.begin(), others.end());
  else
    say_runs_outside(store, others);
  const std::size_t rows = store.rebuild_runs_csv(order);
  write_report(store.dir());
  fmt::print("{}: {} runs, report.md and plots/ written\n", store.dir(), rows);
  // Listed in report.md's warnings too; a script learns of them from the exit code.
  const auto unreadable = store.unreadable_runs();
  for (const auto& [id, problem] : unreadable)
    fmt::print(stderr, "poda: run {} left out of runs.csv: {}\n", id, problem);
  return unreadable.empty() ? kExitOk : kExitRunsFailed;
}

}  // namespace poda
