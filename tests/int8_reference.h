#pragma once
// Scalar integer references for the int8 kernels' tests: the plainest loops, in int64 so an
// overflow in a kernel could not hide behind the same overflow here.
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/gemm_int8.h"
#include "kernel_testing.h"

namespace poda::testing {

// C (M, N) = A (M, K) uint8 · W (N, K)^T int8.
inline std::vector<std::int64_t> reference_gemm_u8s8(std::size_t M, std::size_t N, std::size_t K,
                                                     const std::vector<std::uint8_t>& A,
                                                     const std::vector<std::int8_t>& W) {
  std::vector<std::int64_t> C(M * N, 0);
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t k = 0; k < K; ++k)
        C[m * N + n] += static_cast<std::int64_t>(A[m * K + k]) * W[n * K + k];
  return C;
}

// Uniform uint8 in [0, 255] (both extremes included, so the widest products are probed).
inline std::vector<std::uint8_t> random_u8(std::size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<std::uint8_t> v(n);
  for (auto& x : v) x = static_cast<std::uint8_t>(d(rng));
  return v;
}

// int8 in [-127, 127], each zero with probability `sparsity`.
inline std::vector<std::int8_t> random_s8(std::size_t n, std::mt19937& rng, double sparsity = 0.0) {
  std::uniform_int_distribution<int> d(-127, 127);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::int8_t> v(n);
  for (auto& x : v) x = u(rng) < sparsity ? 0 : static_cast<std::int8_t>(d(rng));
  return v;
}

// Runs a test's body on one kernel target, then restores the one that was active.
struct IsaScope {
  explicit IsaScope(KernelIsa isa) : previous(kernel_isa()) { set_kernel_isa(isa); }
  ~IsaScope() { set_kernel_isa(previous); }
  KernelIsa previous;
};

}  // namespace poda::testing
