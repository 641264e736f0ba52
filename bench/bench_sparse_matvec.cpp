// The batch-1 sparse kernels on one layer's shape (default LeNet-300-100's fc1, 300 x 784),
// random unstructured weights: the window slices (w.slices8) against the plain CSR loop (the
// same matrix without slices), alternating, hot caches, median ns per call over rounds.
// Usage: bench_sparse_matvec [ROWS COLS [DENSITY...]]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/random.h"
#include "kernels/sparse_kernels.h"

using namespace poda;

namespace {

double call_ns(const CsrMatrix& w, const float* b, const float* x, float* y, int reps) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) sparse_matvec(w, b, x, y);
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
         reps;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t rows = argc > 2 ? std::stoul(argv[1]) : 300;
  const std::size_t cols = argc > 2 ? std::stoul(argv[2]) : 784;
  std::vector<double> densities;
  for (int i = 3; i < argc; ++i) densities.push_back(std::stod(argv[i]));
  if (densities.empty()) densities = {0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01};
  std::printf("bench_sparse_matvec: %zu x %zu, %s kernels\n", rows, cols,
              kernel_isa_name(kernel_isa()));
  Rng rng(1);
  std::vector<float> x(cols), bias(rows), y(rows + 16);
  for (float& v : x) v = rng.normal();
  for (float& v : bias) v = rng.normal();
  for (double d : densities) {
    std::vector<float> w(rows * cols);
    for (float& v : w) v = rng.uniform() < d ? rng.normal() : 0.0f;
    CsrMatrix sliced = csr_from_dense(w.data(), rows, cols), plain = sliced;
    add_matvec_slices(sliced);
    std::vector<double> ts, tc;
    for (int r = 0; r < 200; ++r) {
      ts.push_back(call_ns(sliced, bias.data(), x.data(), y.data(), 20));
      tc.push_back(call_ns(plain, bias.data(), x.data(), y.data(), 20));
    }
    std::sort(ts.begin(), ts.end());
    std::sort(tc.begin(), tc.end());
    const MatvecSlices& s = sliced.slices8;
    std::printf("density %.3f  nnz %7zu  slots %6zu (fill %.2f)  slices %7.0f ns  csr %7.0f ns"
                "  csr/slices %.2f\n",
                d, sliced.nnz(), s.slot_col0.size(),
                double(sliced.nnz()) / double(8 * std::max<std::size_t>(s.slot_col0.size(), 1)),
                ts[ts.size() / 2], tc[tc.size() / 2], tc[tc.size() / 2] / ts[ts.size() / 2]);
  }
  return 0;
}
