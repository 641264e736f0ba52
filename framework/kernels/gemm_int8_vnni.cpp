// The AVX-512 VNNI path of gemm_u8s8: register tiles of up to 4 rows of A by up to 4 blocks
// of 16 output channels (16 zmm accumulators), one vpdpbusd per (row, block, K quad).
// Compiled with a target attribute, so the file builds on any x86 compiler and only runs
// where gemm_int8.cpp's dispatch found VNNI.
#include <cstring>
#include <stdexcept>

#include "kernels/gemm_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace poda::detail {

namespace {

#define PODA_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

constexpr std::size_t kMaxRows = 4, kMaxBlocks = 4;

// A[row, 4q .. 4q+3] as one int32 lane, zero-padded past K.
inline std::int32_t quad_of(const std::uint8_t* row, std::size_t q, std::size_t K) {
  std::int32_t v = 0;
  const std::size_t k0 = q * kInt8Quad;
  std::memcpy(&v, row + k0, K - k0 < kInt8Quad ? K - k0 : kInt8Quad);
  return v;
}

// C (MR, <= 16 NB) = A (MR, K) · B^T, B = NB consecutive packed blocks (quads, 16, 4) each.
// `width` is how many of the tile's 16 NB columns exist (the last block may be partial).
// acc[r][j] += A[r, quad q] (broadcast) · B block j, quad q; a[r] holds row r's quad.
template <int MR, int NB>
PODA_VNNI inline void quad_step(__m512i (&acc)[MR][NB], const std::int32_t (&a)[MR],
                                const std::int8_t* B, std::size_t block_bytes) {
  __m512i b[NB];
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    b[j] = _mm512_loadu_si512(B + j * block_bytes);
    // Keeps b[j] in a register: otherwise GCC folds the load into each of the MR vpdpbusd,
    // MR loads instead of 1, and the kernel becomes load-bound (1.65x slower, measured).
    __asm__("" : "+v"(b[j]));
  }
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    const __m512i av = _mm512_set1_epi32(a[r]);  // the quad broadcast to 16 lanes
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], av, b[j]);
  }
}

// C (MR, <= 16 NB) = A (MR, K) · B^T, B = NB consecutive packed blocks (quads, 16, 4) each.
// `width` is how many of the tile's 16 NB columns exist (the last block may be partial).
// The accumulators must stay in registers: the loops over r and j are fully unrolled and
// the partial last quad is handled after the main loop, not inside it.
template <int MR, int NB>
PODA_VNNI void tile(const std::uint8_t* A, std::size_t lda, std::size_t K, std::size_t quads,
                    const std::int8_t* B, std::int32_t* C, std::size_t ldc, std::size_t width) {
  const std::size_t block_bytes = quads * kInt8Lanes * kInt8Quad;
  __m512i acc[MR][NB];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) acc[r][j] = _mm512_setzero_si512();
  const std::size_t full = K / kInt8Quad;
  std::int32_t a[MR];
  for (std::size_t q = 0; q < full; ++q) {
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r)
      std::memcpy(&a[r], A + r * lda + q * kInt8Quad, sizeof(std::int32_t));
    quad_step<MR, NB>(acc, a, B + q * kInt8Lanes * kInt8Quad, block_bytes);
  }
  if (full < quads) {
    for (int r = 0; r < MR; ++r) a[r] = quad_of(A + r * lda, full, K);
    quad_step<MR, NB>(acc, a, B + full * kInt8Lanes * kInt8Quad, block_bytes);
  }
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    const std::size_t n0 = j * kInt8Lanes;
    if (n0 >= width) break;
    const std::size_t cols = width - n0 < kInt8Lanes ? width - n0 : kInt8Lanes;
    const __mmask16 mask = static_cast<__mmask16>((1u << cols) - 1u);
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) _mm512_mask_storeu_epi32(C + r * ldc + n0, mask, acc[r][j]);
  }
}

using TileFn = void (*)(const std::uint8_t*, std::size_t, std::size_t, std::size_t,
                        const std::int8_t*, std::int32_t*, std::size_t, std::size_t);

template <int MR>
constexpr TileFn tile_for(std::size_t blocks) {
  return blocks == 4   ? &tile<MR, 4>
         : blocks == 3 ? &tile<MR, 3>
         : blocks == 2 ? &tile<MR, 2>
                       : &tile<MR, 1>;
}

TileFn tile_for(std::size_t rows, std::size_t blocks) {
  switch (rows) {
    case 4: return tile_for<4>(blocks);
    case 3: return tile_for<3>(blocks);
    case 2: return tile_for<2>(blocks);
    default: return tile_for<1>(blocks);
  }
}

}  // namespace

void gemm_u8s8_vnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                    const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  const std::size_t quads = W.quads();
  const std::size_t block_bytes = quads * kInt8Lanes * kInt8Quad;
  for (std::size_t b0 = 0; b0 < W.blocks(); b0 += kMaxBlocks) {
    const std::size_t blocks = W.blocks() - b0 < kMaxBlocks ? W.blocks() - b0 : kMaxBlocks;
    const std::size_t n0 = b0 * kInt8Lanes;
    const std::size_t width = W.n - n0 < blocks * kInt8Lanes ? W.n - n0 : blocks * kInt8Lanes;
    const std::int8_t* B = W.data.data() + b0 * block_bytes;
    for (std::size_t m0 = 0; m0 < M; m0 += kMaxRows) {
      const std::size_t rows = M - m0 < kMaxRows ? M - m0 : kMaxRows;
      tile_for(rows, blocks)(A + m0 * lda, lda, W.k, quads, B, C + m0 * ldc + n0, ldc, width);
    }
  }
}

}  // namespace poda::detail

#else

namespace poda::detail {
void gemm_u8s8_vnni(std::size_t, const std::uint8_t*, std::size_t, const PackedInt8Weights&,
                    std::int32_t*, std::size_t) {
  throw std::logic_error("gemm_u8s8_vnni: not built for this CPU architecture");
}
}  // namespace poda::detail

#endif
