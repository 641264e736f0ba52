// The AVX2 path of gemm_u8s8: A widened once to int16 pairs, then register tiles of up to
// 6 rows of A by up to 2 blocks of 8 output channels (12 ymm accumulators), one vpmaddwd
// per (row, block, K pair). Written with intrinsics under a target attribute rather than
// over a SIMD layer because the whole kernel is the one instruction pattern below; the file
// builds on any x86 compiler and only runs where gemm_int8.cpp's dispatch found AVX2.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/gemm_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace poda::detail {

namespace {

#define PODA_AVX2 __attribute__((target("avx2,fma")))

constexpr std::size_t kMaxRows = 6, kMaxBlocks = 2;

// A (M, K) uint8 -> out (M, pairs) int32, each lane two int16: A[m, 2p] low, A[m, 2p+1] high,
// zero past K. Zero-extending 16 bytes to 16 int16 lays them out as exactly 8 such lanes.
PODA_AVX2 void widen_to_pairs(std::size_t M, const std::uint8_t* A, std::size_t lda,
                              std::size_t K, std::size_t pairs, std::int32_t* out) {
  for (std::size_t m = 0; m < M; ++m) {
    const std::uint8_t* row = A + m * lda;  // (K)
    std::int32_t* dst = out + m * pairs;    // (pairs)
    std::size_t k = 0;
    for (; k + 16 <= K; k += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + k));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + k / 2), _mm256_cvtepu8_epi16(bytes));
    }
    for (; k < K; k += 2) {
      const std::uint32_t lo = row[k], hi = k + 1 < K ? row[k + 1] : 0u;
      dst[k / 2] = static_cast<std::int32_t>(lo | hi << 16);
    }
  }
}

// The first `cols` int32 lanes of a ymm, for a masked store of a partial block.
PODA_AVX2 inline __m256i lane_mask(std::size_t cols) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cols)), index);
}

// C (MR, <= 8 NB) = A (MR, pairs) · B^T, B = NB consecutive pair blocks (pairs, 8, 2) each.
// `width` is how many of the tile's 8 NB columns exist (the last block may be partial).
// acc[r][j] += A[r, pair p] (broadcast) · B block j, pair p. The loops over r and j are
// fully unrolled so the accumulators stay in registers.
template <int MR, int NB>
PODA_AVX2 void tile(const std::int32_t* A, std::size_t pairs, const std::int16_t* B,
                    std::int32_t* C, std::size_t ldc, std::size_t width) {
  const std::size_t block_elems = pairs * kInt16Lanes * kInt16Pair;
  __m256i acc[MR][NB];
#pragma GCC unroll 6
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j) acc[r][j] = _mm256_setzero_si256();
  for (std::size_t p = 0; p < pairs; ++p) {
    __m256i b[NB];
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j)
      b[j] = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(B + j * block_elems + p * kInt16Lanes * kInt16Pair));
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r) {
      const __m256i a = _mm256_set1_epi32(A[r * pairs + p]);
#pragma GCC unroll 2
      for (int j = 0; j < NB; ++j)
        acc[r][j] = _mm256_add_epi32(acc[r][j], _mm256_madd_epi16(a, b[j]));
    }
  }
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) {
    const std::size_t n0 = j * kInt16Lanes;
    if (n0 >= width) break;
    const std::size_t cols = width - n0 < kInt16Lanes ? width - n0 : kInt16Lanes;
    if (cols == kInt16Lanes) {  // vpmaskmovd stores are slow on AMD: only for a partial block
#pragma GCC unroll 6
      for (int r = 0; r < MR; ++r)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(C + r * ldc + n0), acc[r][j]);
      continue;
    }
    const __m256i mask = lane_mask(cols);
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r)
      _mm256_maskstore_epi32(reinterpret_cast<int*>(C + r * ldc + n0), mask, acc[r][j]);
  }
}

using TileFn = void (*)(const std::int32_t*, std::size_t, const std::int16_t*, std::int32_t*,
                        std::size_t, std::size_t);

template <int MR>
constexpr TileFn tile_for(std::size_t blocks) {
  return blocks == 2 ? &tile<MR, 2> : &tile<MR, 1>;
}

TileFn tile_for(std::size_t rows, std::size_t blocks) {
  switch (rows) {
    case 6: return tile_for<6>(blocks);
    case 5: return tile_for<5>(blocks);
    case 4: return tile_for<4>(blocks);
    case 3: return tile_for<3>(blocks);
    case 2: return tile_for<2>(blocks);
    default: return tile_for<1>(blocks);
  }
}

}  // namespace

void gemm_pairs_avx2(std::size_t M, const std::int32_t* A, std::size_t pairs,
                     const std::int16_t* B, std::size_t N, std::int32_t* C, std::size_t ldc) {
  const std::size_t block_elems = pairs * kInt16Lanes * kInt16Pair;
  const std::size_t blocks = (N + kInt16Lanes - 1) / kInt16Lanes;
  for (std::size_t b0 = 0; b0 < blocks; b0 += kMaxBlocks) {
    const std::size_t nb = std::min(blocks - b0, kMaxBlocks);
    const std::size_t n0 = b0 * kInt16Lanes;
    const std::size_t width = std::min(N - n0, nb * kInt16Lanes);
    for (std::size_t m0 = 0; m0 < M; m0 += kMaxRows) {
      const std::size_t rows = std::min(M - m0, kMaxRows);
      tile_for(rows, nb)(A + m0 * pairs, pairs, B + b0 * block_elems, C + m0 * ldc + n0, ldc,
                         width);
    }
  }
}

void gemm_u8s8_avx2(std::size_t M, const std::uint8_t* A, std::size_t lda,
                    const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  if (W.pairs.empty() && W.n > 0)
    throw std::logic_error("gemm_u8s8_avx2: the weights were packed without the AVX2 layout");
  const std::size_t pairs = W.pair_count();
  thread_local std::vector<std::int32_t> widened;  // (M, pairs)
  widened.resize(M * pairs);
  widen_to_pairs(M, A, lda, W.k, pairs, widened.data());
  gemm_pairs_avx2(M, widened.data(), pairs, W.pairs.data(), W.n, C, ldc);
}

}  // namespace poda::detail

#else

namespace poda::detail {
void gemm_pairs_avx2(std::size_t, const std::int32_t*, std::size_t, const std::int16_t*,
                     std::size_t, std::int32_t*, std::size_t) {
  throw std::logic_error("gemm_pairs_avx2: not built for this CPU architecture");
}
void gemm_u8s8_avx2(std::size_t, const std::uint8_t*, std::size_t, const PackedInt8Weights&,
                    std::int32_t*, std::size_t) {
  throw std::logic_error("gemm_u8s8_avx2: not built for this CPU architecture");
}
}  // namespace poda::detail

#endif
