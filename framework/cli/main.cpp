// The poda executable: a small dispatch over subcommands.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/info.h"
#include "core/blas_runtime.h"

int main(int argc, char** argv) {
  // Before anything else: may re-execute the process on better BLAS kernels.
  poda::ensure_blas_core(argc, argv);

  CLI::App app{"poda: neural-network pruning experiments"};
  app.set_version_flag("--version", PODA_VERSION);
  app.require_subcommand(1);
  CLI::App* info = app.add_subcommand("info", "Print version, BLAS core, threads and CPU features");
  CLI11_PARSE(app, argc, argv);

  try {
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
