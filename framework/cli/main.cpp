// The poda executable: a small dispatch over subcommands.
#include <cstdio>
#include <exception>
#include <new>
#include <memory>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "cli/bench.h"
#include "cli/commands.h"
#include "cli/export_command.h"
#include "cli/import_command.h"
#include "cli/info.h"
#include "cli/list.h"
#include "cli/plugins.h"
#include "cli/prune_command.h"
#include "core/blas_runtime.h"
#include "data/dataset_type.h"
#include "experiment/io/atomic_file.h"
#include "experiment/io/mpi_world.h"
#include "experiment/config/sweep.h"

namespace {

struct Subcommands {
  CLI::App* run = nullptr;
  CLI::App* check = nullptr;
  CLI::App* report = nullptr;
  CLI::App* info = nullptr;
  CLI::App* list = nullptr;
  CLI::App* bench = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* import = nullptr;
  CLI::App* prune = nullptr;
  poda::PruneOptions prune_options;
  poda::ImportOptions import_options;
  poda::RunOptions run_options;
  poda::ExportOptions export_options;
  std::vector<std::string> plugins;
  poda::BenchOptions bench_options;
  std::string check_config, report_dir, list_what;
  std::size_t check_max_runs = poda::kDefaultMaxRuns, report_max_runs = poda::kDefaultMaxRuns;
  bool report_all = false;
};

// A --shard value that parse_shard refuses is a usage error, reported by CLI11.
std::string shard_error(const std::string& text) {
  try {
    poda::parse_shard(text);
    return "";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

void add_max_runs(CLI::App* command, std::size_t& max_runs) {
  command->add_option("--max-runs", max_runs, "refuse a sweep of more runs than this")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

CLI::App* add_bench(CLI::App& app, poda::BenchOptions& o) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Time the dense, sparse and compacted inference paths of a model");
  bench->add_option("checkpoint", o.checkpoint,
                    "trained checkpoint (default: random weights, pruned as below)");
  bench->add_option("--zoo", o.zoo,
                    "zoo model: needed for random weights or a checkpoint without its layer list");
  bench->add_option("--input", o.input, "sample shape C,H,W")->capture_default_str();
  bench->add_option("--sparsity", o.sparsity, "random weights: fraction pruned")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  bench
      ->add_option("--granularity", o.granularity,
                   "unstructured, neuron, filter, channel, n_m, block")
      ->capture_default_str();
  bench->add_option("--criterion", o.criterion, "magnitude, random, ...")->capture_default_str();
  bench->add_option("--batch", o.batch_sizes, "batch sizes")->capture_default_str();
  bench->add_option("--seconds", o.seconds, "timed seconds per batch size")->capture_default_str();
  bench->add_option("--kernels", o.kernels, "auto, scalar, avx2 or avx512")
      ->check(CLI::IsMember({"auto", "scalar", "avx2", "avx512"}))
      ->capture_default_str();
  return bench;
}

void add_plugin_option(CLI::App* command, std::vector<std::string>& plugins) {
  command->add_option("--plugin", plugins,
                      "shared library adding criteria, schedules, layers, zoo models, quantization "
                      "schemes or datasets");
}

CLI::App* add_export(CLI::App& app, poda::ExportOptions& o) {
  CLI::App* e = app.add_subcommand(
      "export", "Write a trained model, folded (masks applied, BatchNorm folded), as ONNX");
  e->add_option("checkpoint", o.checkpoint, "trained checkpoint, e.g. a run's final.ckpt")
      ->required();
  e->add_option("out", o.out, "file to write")->required();
  e->add_option("--format", o.format, "onnx or poda-sparse (CSR-16 weights)")
      ->check(CLI::IsMember({"onnx", "poda-sparse"}))
      ->capture_default_str();
  e->add_option("--config", o.config,
                "the run's config (default: the checkpoint's own layer list and normalisation, "
                "else config.yaml beside it)");
  e->add_flag("--compact", o.compact, "write the compacted model (dead units removed)");
  e->add_flag("--force", o.force, "replace an existing file at OUT (never an input)");
  return e;
}

CLI::App* add_import(CLI::App& app, poda::ImportOptions& o) {
  CLI::App* i = app.add_subcommand(
      "import", "Build a poda model and checkpoint from an ONNX graph of poda's layer types");
  i->add_option("model", o.model, "ONNX file")->required();
  i->add_option("out", o.out, "checkpoint to write")->required();
  i->add_option("--evaluate", o.evaluate, "print the test accuracy on this dataset")
      ->check(CLI::IsMember(poda::dataset_names()));
  i->add_flag("--force", o.force, "replace an existing file at OUT (never the model)");
  return i;
}

CLI::App* add_prune(CLI::App& app, poda::PruneOptions& o) {
  CLI::App* p = app.add_subcommand(
      "prune", "Prune a trained model (ONNX or checkpoint) in one command, as `poda run` would");
  p->add_option("model", o.model, "the trained model: .onnx or a poda checkpoint")->required();
  p->add_option("--dataset", o.dataset, "fashion-mnist, mnist or cifar10")
      ->check(CLI::IsMember({"fashion-mnist", "mnist", "cifar10"}))
      ->required();
  p->add_option("--dataset-path", o.dataset_path, "the dataset's folder (default: its own)");
  p->add_option("--sparsity", o.sparsity, "fraction of the granularity's units removed")
      ->check(CLI::Range(0.0, 0.9999))
      ->required();
  p->add_option("--criterion", o.criterion, "see `poda list criteria`")->capture_default_str();
  p->add_option("--granularity", o.granularity, "see `poda list granularities`")
      ->capture_default_str();
  p->add_option("--scope", o.scope, "layer or global")
      ->check(CLI::IsMember({"layer", "global"}))
      ->capture_default_str();
  p->add_option("--finetune-epochs", o.finetune_epochs, "epochs of fine-tuning after pruning")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  p->add_option("--lr", o.lr, "fine-tuning learning rate (SGD)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  p->add_flag("--compact", o.compact, "write the compacted model (removed units cut out)");
  p->add_option("-o,--out", o.out, "the pruned model: OUT.onnx or OUT.ckpt")->required();
  p->add_option("--results", o.results_root, "results root folder")->capture_default_str();
  p->add_option("--seed", o.seed, "seed of the batch order")->capture_default_str();
  return p;
}

void add_subcommands(CLI::App& app, Subcommands& s) {
  poda::RunOptions& o = s.run_options;
  s.run = app.add_subcommand("run", "Run an experiment file: every point of its sweep");
  s.run->add_option("config", o.config, "experiment YAML file")->required();
  s.run->add_option("--results", o.results_root, "results root folder")->capture_default_str();
  s.run->add_option("--jobs,-j", o.jobs, "worker processes (one BLAS thread each)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  s.run->add_option("--threads", o.threads, "BLAS threads per run (overrides the file)")
      ->check(CLI::Range(1, 256));
  s.run->add_option("--shard", o.shard, "run only slice i of n (0-based), e.g. 0/4")
      ->check(shard_error);
  s.run->add_flag("--retry-failed", o.retry_failed, "run failed runs again");
  add_max_runs(s.run, o.max_runs);
  add_plugin_option(s.run, s.plugins);

  s.check = app.add_subcommand("check", "Validate an experiment file and list its runs");
  s.check->add_option("config", s.check_config, "experiment YAML file")->required();
  add_max_runs(s.check, s.check_max_runs);
  add_plugin_option(s.check, s.plugins);

  s.report = app.add_subcommand(
      "report", "Merge runs.csv from the run folders and regenerate report.md and plots/");
  s.report->add_option("dir", s.report_dir, "results folder, e.g. results/quickstart")->required();
  add_max_runs(s.report, s.report_max_runs);
  s.report->add_flag("--all", s.report_all,
                     "also the finished runs that the folder's sweep no longer lists");

  s.info = app.add_subcommand("info", "Print version, BLAS core, threads and CPU features");
  s.list =
      app.add_subcommand("list", "List criteria, granularities, schedules, layers and zoo models");
  s.list->add_option("what", s.list_what, "criteria | granularities | schedules | layers | zoo");
  add_plugin_option(s.list, s.plugins);
  s.bench = add_bench(app, s.bench_options);
  s.export_ = add_export(app, s.export_options);
  add_plugin_option(s.export_, s.plugins);
  s.import = add_import(app, s.import_options);
  s.prune = add_prune(app, s.prune_options);
  add_plugin_option(s.prune, s.plugins);
}

// `world` outlives the subcommand, so an error is said with the rank prefix too.
int run_subcommand(Subcommands& s, int& argc, char**& argv,
                   std::unique_ptr<poda::MpiWorld>& world) {
  for (const std::string& line : poda::load_plugins(s.plugins))
    std::fprintf(stderr, "poda: plug-in %s\n", line.c_str());
  if (*s.run) {
    // Under mpirun each rank runs its slice of the sweep; rank 0 writes runs.csv and report.
    world = poda::MpiWorld::join_if_launched(&argc, &argv);
    if (world) {
      s.run_options.mpi_slice = {world->rank(), world->size()};
      s.run_options.mpi_barrier = world->barrier_fn();
      s.run_options.jobs = 1;
    }
    return poda::command_run(s.run_options);
  }
  if (*s.check) return poda::command_check(s.check_config, s.check_max_runs);
  if (*s.report) return poda::command_report(s.report_dir, s.report_max_runs, s.report_all);
  if (*s.list) return poda::command_list(s.list_what);
  if (*s.bench) return poda::command_bench(s.bench_options);
  if (*s.export_) return poda::command_export(s.export_options);
  if (*s.import) return poda::command_import(s.import_options);
  if (*s.prune) return poda::command_prune(s.prune_options);
  std::fputs(poda::poda_info_text().c_str(), stdout);
  return poda::kExitOk;
}

// The exit code of an error that escaped a subcommand (README "Exit codes"), after saying it.
// Input errors share one base type; what is left is poda's own failure, said in poda's words.
int report_error() {
  try {
    throw;
  } catch (const poda::UserError& e) {
    std::fprintf(stderr, "poda: error: %s\n", e.what());
    return e.exit_code();
  } catch (const poda::FileWriteError& e) {  // I/O: names the file and the system's reason
    std::fprintf(stderr, "poda: error: %s\n", e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "poda: error: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "poda: internal error (a bug in poda; please report it): %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "poda: internal error (a bug in poda; please report it)\n");
  }
  return poda::kExitInternalError;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything else: may re-execute the process on better BLAS kernels.
  poda::ensure_blas_core(argc, argv);

  CLI::App app{"poda: neural-network pruning experiments"};
  app.set_version_flag("--version", PODA_VERSION);
  app.require_subcommand(1);
  Subcommands subcommands;
  add_subcommands(app, subcommands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with code 0; every real one is a usage error.
    return app.exit(e) == 0 ? poda::kExitOk : poda::kExitInputError;
  }

  std::unique_ptr<poda::MpiWorld> world;
  try {
    return run_subcommand(subcommands, argc, argv, world);
  } catch (...) {
    return report_error();
  }
}
