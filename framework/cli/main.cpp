// The poda executable: a small dispatch over subcommands.
#include <cstdio>
#include <exception>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/bench.h"
#include "cli/commands.h"
#include "cli/info.h"
#include "core/blas_runtime.h"
#include "experiment/mpi_world.h"

int main(int argc, char** argv) {
  // Before anything else: may re-execute the process on better BLAS kernels.
  poda::ensure_blas_core(argc, argv);

  CLI::App app{"poda: neural-network pruning experiments"};
  app.set_version_flag("--version", PODA_VERSION);
  app.require_subcommand(1);

  poda::RunOptions run_options;
  CLI::App* run = app.add_subcommand("run", "Run an experiment file: every point of its sweep");
  run->add_option("config", run_options.config, "experiment YAML file")->required();
  run->add_option("--results", run_options.results_root, "results root folder")
      ->capture_default_str();
  run->add_option("--jobs,-j", run_options.jobs, "worker processes (one BLAS thread each)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  run->add_option("--threads", run_options.threads, "BLAS threads per run (overrides the file)")
      ->check(CLI::Range(1, 256));
  run->add_option("--shard", run_options.shard, "run only slice i of n (0-based), e.g. 0/4");
  run->add_flag("--retry-failed", run_options.retry_failed, "run failed runs again");

  std::string check_config;
  CLI::App* check = app.add_subcommand("check", "Validate an experiment file and list its runs");
  check->add_option("config", check_config, "experiment YAML file")->required();

  std::string report_dir;
  CLI::App* report = app.add_subcommand(
      "report", "Merge runs.csv from the run folders and regenerate report.md and plots/");
  report->add_option("dir", report_dir, "results folder, e.g. results/quickstart")->required();

  CLI::App* info = app.add_subcommand("info", "Print version, BLAS core, threads and CPU features");

  poda::BenchOptions bench_options;
  CLI::App* bench = app.add_subcommand(
      "bench", "Time the dense, sparse and compacted inference paths of a model");
  bench->add_option("checkpoint", bench_options.checkpoint,
                    "trained checkpoint (default: random weights, pruned as below)");
  bench->add_option("--zoo", bench_options.zoo, "zoo model (the checkpoint's architecture)")
      ->required();
  bench->add_option("--input", bench_options.input, "sample shape C,H,W")->capture_default_str();
  bench->add_option("--sparsity", bench_options.sparsity, "random weights: fraction pruned")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  bench->add_option("--granularity", bench_options.granularity,
                    "unstructured, neuron, filter, channel, n_m, block")
      ->capture_default_str();
  bench->add_option("--criterion", bench_options.criterion, "magnitude, random, ...")
      ->capture_default_str();
  bench->add_option("--batch", bench_options.batch_sizes, "batch sizes")->capture_default_str();
  bench->add_option("--seconds", bench_options.seconds, "timed seconds per batch size")
      ->capture_default_str();
  bench->add_option("--kernels", bench_options.kernels, "auto, avx512 or portable")
      ->check(CLI::IsMember({"auto", "avx512", "portable"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (*run) {
      // Under mpirun each rank runs its slice of the sweep; rank 0 writes runs.csv and report.
      std::unique_ptr<poda::MpiWorld> world = poda::MpiWorld::join_if_launched(&argc, &argv);
      if (world) {
        run_options.mpi_slice = {world->rank(), world->size()};
        run_options.mpi_barrier = world->barrier_fn();
        run_options.jobs = 1;
      }
      return poda::command_run(run_options);
    }
    if (*check) return poda::command_check(check_config);
    if (*report) return poda::command_report(report_dir);
    if (*bench) return poda::command_bench(bench_options);
    if (*info) {
      std::fputs(poda::poda_info_text().c_str(), stdout);
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "poda: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
