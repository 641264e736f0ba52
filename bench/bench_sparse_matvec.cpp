// The batch-1 sparse kernels on one layer's shape (default LeNet-300-100's fc1, 300 x 784),
// random unstructured weights: the window slices (w.slices8) against the plain CSR loop (the
// same matrix without slices), alternating, hot caches, median ns per call over rounds.
// COLD (0 or 1, default 0): 1 reads 1 MB of other data before every call.
// Usage: bench_sparse_matvec [COLD [ROWS COLS [DENSITY...]]]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/random.h"
#include "kernels/sparse_kernels.h"

using namespace poda;

namespace {

// With `evict` non-empty, each call comes after a pass over evict (the dense plan's 1 MB of
// weights in bench_infer_sparsity's alternation): the layer's data then comes from L3.
std::vector<float> evict;
float evict_sum = 0.0f;

double call_ns(const CsrMatrix& w, const float* b, const float* x, float* y, int reps) {
  double ns = 0.0;
  for (int i = 0; i < reps; ++i) {
    for (std::size_t k = 0; k < evict.size(); k += 16) evict_sum += evict[k];
    const auto t0 = std::chrono::steady_clock::now();
    sparse_matvec(w, b, x, y);
    ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  }
  return ns / reps;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::stoi(argv[1])) evict.assign(1 << 18, 1.0f);
  const std::size_t rows = argc > 3 ? std::stoul(argv[2]) : 300;
  const std::size_t cols = argc > 3 ? std::stoul(argv[3]) : 784;
  std::vector<double> densities;
  for (int i = 4; i < argc; ++i) densities.push_back(std::stod(argv[i]));
  if (densities.empty()) densities = {0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01};
  std::printf("bench_sparse_matvec: %zu x %zu, %s kernels, %s\n", rows, cols,
              kernel_isa_name(kernel_isa()), evict.empty() ? "hot" : "after 1 MB of other data");
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
    std::printf(
        "density %.3f  nnz %7zu  slots %6zu of %zu rows (fill %.2f)  slices %7.0f ns"
        "  csr %7.0f ns  csr/slices %.2f\n",
        d, sliced.nnz(), s.slot_col0.size(), s.lanes * s.groups,
        double(sliced.nnz()) /
            double(s.lanes * s.groups * std::max<std::size_t>(s.slot_col0.size(), 1)),
        ts[ts.size() / 2], tc[tc.size() / 2], tc[tc.size() / 2] / ts[ts.size() / 2]);
  }
  return evict_sum == 0.5f;  // keeps the eviction passes
}
