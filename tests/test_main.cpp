// The test binary's main: pick the BLAS core first, so the whole suite runs
// on the kernels poda itself would use.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "core/blas_runtime.h"

int main(int argc, char** argv) {
  poda::ensure_blas_core(argc, argv);
  doctest::Context context(argc, argv);
  return context.run();
}
