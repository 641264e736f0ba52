#pragma once
// Integer GEMMs of int8 inference: uint8 activations times int8 weights, summed exactly in
// int32 (the activation and weight grids of core/quant_params.h). Two paths compute the
// same integers: AVX-512 VNNI (vpdpbusd: 4 u8 x s8 products summed into each int32 lane)
// where the CPU has it, and a portable scalar loop. Neither saturates: the sums are exact
// while K * 255 * 127 fits an int32 (K < 66,000), which the pack functions check.
//
// Weights are packed once (inference folds them ahead of time): output channels in blocks
// of 16 (one zmm of int32 sums) and K in quads (one int32 lane of vpdpbusd), zero-padded.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

// Which integer kernels run. automatic = VNNI when cpu_features() has it. Process-wide;
// tests force each path to check both against the reference.
enum class Int8Kernel { automatic, vnni, scalar };
void set_int8_kernel(Int8Kernel kernel);
// The path that runs now (vnni or scalar); vnni only when the CPU has it.
Int8Kernel active_int8_kernel();
bool int8_vnni_available();

inline constexpr std::size_t kInt8Lanes = 16;  // int32 sums per zmm
inline constexpr std::size_t kInt8Quad = 4;    // bytes per vpdpbusd lane

inline std::size_t round_up(std::size_t n, std::size_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

// W (N, K) int8, row-major (a Linear weight, or a Conv2d weight viewed as (C_out, C_in*kH*kW)),
// stored as [N_pad / 16][K_pad / 4][16][4]: block b, quad q, lane j holds W[16b + j, 4q .. 4q+3].
struct PackedInt8Weights {
  std::size_t n = 0, k = 0;           // logical shape (N, K)
  std::vector<std::int8_t> data;      // N_pad * K_pad, zero-padded
  std::vector<std::int32_t> row_sum;  // (N): sum_k W[n, k], for the zero-point correction
  std::size_t quads() const { return round_up(k, kInt8Quad) / kInt8Quad; }
  std::size_t blocks() const { return round_up(n, kInt8Lanes) / kInt8Lanes; }
};
PackedInt8Weights pack_int8_weights(const std::int8_t* w, std::size_t N, std::size_t K);

// C (M, N) int32 = A (M, K) uint8 · W (N, K)^T, exact. lda >= K, ldc >= N (row strides).
void gemm_u8s8(std::size_t M, const std::uint8_t* A, std::size_t lda, const PackedInt8Weights& W,
               std::int32_t* C, std::size_t ldc);

namespace detail {
// The two paths of gemm_u8s8 (gemm_int8_vnni.cpp, gemm_int8.cpp), same contract.
void gemm_u8s8_vnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                    const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc);
void gemm_u8s8_scalar(std::size_t M, const std::uint8_t* A, std::size_t lda,
                      const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc);
}  // namespace detail

}  // namespace poda
