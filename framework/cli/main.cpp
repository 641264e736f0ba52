// The poda executable: a small dispatch over subcommands.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/info.h"
#include "core/blas_runtime.h"

int main(int argc, char** argv) {
  // Before anything else: may re-execute the process on better BLAS kernels.
  poda::ensure_blas_core(argc, argv);

  CLI::App app{"poda: neural-network pruning experiments"};
  app.set_version_flag("--version", PODA_VERSION);
  app.require_subcommand(1);

  poda::RunOptions run_options;
  CLI::App* run = app.add_subcommand("run", "Run an experiment file (all points of its sweep)");
  run->add_option("config", run_options.config, "experiment YAML file")->required();
  run->add_option("--results", run_options.results_root, "results root folder")
      ->capture_default_str();
  run->add_option("--threads", run_options.threads, "BLAS threads per run (overrides the file)");

  std::string check_config;
  CLI::App* check = app.add_subcommand("check", "Validate an experiment file and list its runs");
  check->add_option("config", check_config, "experiment YAML file")->required();

  CLI::App* info = app.add_subcommand("info", "Print version, BLAS core, threads and CPU features");
  CLI11_PARSE(app, argc, argv);

  try {
    if (*run) return poda::command_run(run_options);
    if (*check) return poda::command_check(check_config);
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
