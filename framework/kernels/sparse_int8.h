#pragma once
// The sparse int8 GEMM for unstructured-pruned layers: same contract and same integers as
// gemm_u8s8 (kernels/gemm_int8.h), with work proportional to the non-zero K quads of each
// weight row. At 90% unstructured sparsity about 1 - 0.9^4 = 34% of the quads hold a
// non-zero, so one vpdpbusd still does 4 products per lane, on a third of the dense work.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

// W (N, K) int8, row-major, kept by quads: row n owns entries [row_start[n], row_start[n+1]),
// each a quad index q and the 4 weights W[n, 4q .. 4q+3] packed little-endian into an int32
// (zero where past K or pruned).
struct SparseInt8Weights {
  std::size_t n = 0, k = 0;
  std::vector<std::uint32_t> row_start;  // (N + 1)
  std::vector<std::uint32_t> quad;       // (entries)
  std::vector<std::int32_t> packed;      // (entries)
  // AVX2 CPUs only, the same rows kept by K pairs (a pair is half as likely as a quad to
  // hold a non-zero): row n owns [pair_start[n], pair_start[n+1]), each a pair index p and
  // the int16 weights W[n, 2p] (low) and W[n, 2p+1] (high) in one int32.
  std::vector<std::uint32_t> pair_start;  // (N + 1)
  std::vector<std::uint32_t> pair_index;  // (pair entries)
  std::vector<std::int32_t> pair_value;   // (pair entries)
  std::vector<std::int32_t> row_sum;     // (N): sum_k W[n, k], for the zero-point correction
  std::size_t quads() const { return (k + 3) / 4; }
  std::size_t entries() const { return quad.size(); }
};
SparseInt8Weights sparsify_int8_weights(const std::int8_t* w, std::size_t N, std::size_t K);

// C (M, N) int32 = A (M, K) uint8 · W (N, K)^T, exact; lda >= K, ldc >= N. Runs the active
// target's path (kernels/int8_kernels.h: VNNI, AVX2 or scalar).
void sparse_gemm_u8s8(std::size_t M, const std::uint8_t* A, std::size_t lda,
                      const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc);

namespace detail {
// The paths, same contract, arguments already checked: scalar and VNNI (sparse_int8.cpp),
// AVX2 (sparse_int8_avx2.cpp, needs the pair entries).
void sparse_gemm_u8s8_scalar(std::size_t M, const std::uint8_t* A, std::size_t lda,
                             const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc);
void sparse_gemm_u8s8_vnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                           const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc);
void sparse_gemm_u8s8_avx2(std::size_t M, const std::uint8_t* A, std::size_t lda,
                           const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc);
}  // namespace detail

}  // namespace poda
