#include "core/parallel.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace poda {

namespace {
int g_threads = 1;
}  // namespace

void set_compute_threads(int n) {
  if (n < 1)
    throw std::invalid_argument("set_compute_threads: need at least 1 thread, got " +
                                std::to_string(n));
  g_threads = n;
}

int compute_threads() {
  return g_threads;
}

int parallel_slots(std::size_t n, std::size_t grain) {
  const std::size_t most = n / std::max<std::size_t>(grain, 1);
  if (g_threads < 2 || most < 2 || omp_in_parallel()) return 1;
  return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(g_threads), most));
}

void parallel_for(std::size_t n, const SliceFn& body, std::size_t grain) {
  const int slots = parallel_slots(n, grain);
  if (slots == 1) {
    if (n > 0) body(0, n, 0);
    return;
  }
  // One BLAS thread per GEMM while our threads share the cores; BLAS's pthreads would
  // otherwise oversubscribe them (OpenBLAS-pthreads cannot see OpenMP's regions).
  const int blas_before = openblas_get_num_threads();
  if (blas_before != 1) openblas_set_num_threads(1);
#pragma omp parallel num_threads(slots)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto s = static_cast<std::size_t>(slots);
    const std::size_t lo = n * t / s, hi = n * (t + 1) / s;
    if (hi > lo) body(lo, hi, static_cast<int>(t));
  }
  if (blas_before != 1) openblas_set_num_threads(blas_before);
}

}  // namespace poda
