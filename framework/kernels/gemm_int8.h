#pragma once
// Integer GEMMs of int8 inference: uint8 activations times int8 weights, summed exactly in
// int32 (the activation and weight grids of kernels/quant_params.h). Three paths compute the
// same integers, one per kernel build of kernels/int8_kernels.h: AVX-512 VNNI (zmm vpdpbusd:
// 4 u8 x s8 products summed into each int32 lane), AVX-VNNI (the same on ymm, for AVX2-class
// CPUs that have it), AVX2 (vpmaddwd on both operands widened to int16: 2 products summed
// into each int32 lane) and a portable scalar loop. None saturates: the sums are exact while K * 255 * 127 fits
// an int32 (K < 66,000), which the pack functions check.
//
// Why AVX2 widens to int16 rather than use vpmaddubsw (u8 x s8 pairs summed into int16):
// 255 * 127 * 2 exceeds int16, so vpmaddubsw saturates on the full uint8 x [-127, 127]
// grids unless weights or activations lose a bit, which would change the integers between
// targets. Per multiply-unit slot, vpmaddwd does as many products as vpmaddubsw followed by
// the vpmaddwd that widens its pairs to int32, so exactness costs loads, not multiplies.
//
// Weights are packed once (inference folds them ahead of time): output channels in blocks
// of 16 (one zmm of int32 sums) and K in quads (one int32 lane of vpdpbusd), zero-padded;
// on a CPU with AVX2, also as int16 in blocks of 8 (one ymm) and K in pairs.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

// Which path runs is the ISA table's choice (kernels/int8_kernels.h, kernels/isa.h).
// This CPU can run the AVX2 path (then the weights are also packed for it).
bool int8_avx2_runnable();
// The path the active kernel target runs: "scalar", "avx2" or "avx512-vnni".
const char* int8_kernel_name();

inline constexpr std::size_t kInt8Lanes = 16;  // int32 sums per zmm
inline constexpr std::size_t kInt8Quad = 4;    // bytes per vpdpbusd lane
inline constexpr std::size_t kInt16Lanes = 8;  // int32 sums per ymm
inline constexpr std::size_t kInt16Pair = 2;   // int16 values per vpmaddwd lane

inline std::size_t round_up(std::size_t n, std::size_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

// W (N, K) int8, row-major (a Linear weight, or a Conv2d weight viewed as (C_out, C_in*kH*kW)),
// stored as [N_pad / 16][K_pad / 4][16][4]: block b, quad q, lane j holds W[16b + j, 4q .. 4q+3].
// pairs (AVX2 CPUs only) is [N_pad / 8][K_pad / 2][8][2] int16: block b, pair p, lane j holds
// W[8b + j, 2p .. 2p+1].
struct PackedInt8Weights {
  std::size_t n = 0, k = 0;           // logical shape (N, K)
  std::vector<std::int8_t> data;      // N_pad * K_pad, zero-padded
  std::vector<std::int16_t> pairs;    // N_pad * K_pad, zero-padded; empty without AVX2
  std::vector<std::int32_t> row_sum;  // (N): sum_k W[n, k], for the zero-point correction
  std::size_t quads() const { return round_up(k, kInt8Quad) / kInt8Quad; }
  std::size_t blocks() const { return round_up(n, kInt8Lanes) / kInt8Lanes; }
  std::size_t pair_count() const { return round_up(k, kInt16Pair) / kInt16Pair; }
  std::size_t pair_blocks() const { return round_up(n, kInt16Lanes) / kInt16Lanes; }
};
PackedInt8Weights pack_int8_weights(const std::int8_t* w, std::size_t N, std::size_t K);

// C (M, N) int32 = A (M, K) uint8 · W (N, K)^T, exact. lda >= K, ldc >= N (row strides).
void gemm_u8s8(std::size_t M, const std::uint8_t* A, std::size_t lda, const PackedInt8Weights& W,
               std::int32_t* C, std::size_t ldc);

namespace detail {
// The paths of gemm_u8s8 (gemm_int8_vnni.cpp, gemm_int8_avx2.cpp, gemm_int8.cpp), same
// contract, arguments already checked.
void gemm_u8s8_avx2(std::size_t M, const std::uint8_t* A, std::size_t lda,
                    const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc);
// The core of the AVX2 path, on operands already widened to int16 pairs:
// C (M, N) int32 = A (M, pairs) · B^T, A's int32 lanes each two int16 (k = 2p low, 2p+1
// high), B in the layout of PackedInt8Weights::pairs for N columns (zero-padded to 8).
void gemm_pairs_avx2(std::size_t M, const std::int32_t* A, std::size_t pairs,
                     const std::int16_t* B, std::size_t N, std::int32_t* C, std::size_t ldc);
void gemm_u8s8_vnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                    const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc);
void gemm_u8s8_avxvnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                       const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc);
// The core of the VNNI convolutions, with the operands' roles swapped: C (M, N) int32 =
// A (M, K) int8 rows (stride lda) · B^T, B uint8 in the
// layout of PackedInt8Weights::data for N columns and ceil(K / 4) quads.
void gemm_quads_s8u8_vnni(std::size_t M, const std::int8_t* A, std::size_t lda, std::size_t K,
                          const std::uint8_t* B, std::size_t N, std::int32_t* C, std::size_t ldc);
void gemm_quads_s8u8_avxvnni(std::size_t M, const std::int8_t* A, std::size_t lda,
                             std::size_t K, const std::uint8_t* B, std::size_t N,
                             std::int32_t* C, std::size_t ldc);
void gemm_u8s8_scalar(std::size_t M, const std::uint8_t* A, std::size_t lda,
                      const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc);
}  // namespace detail

}  // namespace poda
