// The AVX2 path of sparse_gemm_u8s8: rows of A packed 8 to a ymm as int16 pairs, and per
// stored weight quad two vpmaddwd per block of 8 rows (one per int16 pair of the quad),
// exact for the same reason as gemm_int8_avx2.cpp. Target attribute, like that file.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/sparse_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace poda::detail {

namespace {

#define PODA_AVX2 __attribute__((target("avx2,fma")))

constexpr std::size_t kRows = 8;       // rows of A per ymm
constexpr std::size_t kMaxBlocks = 4;  // blocks of 8 rows per pass over the weights

// A (M, K) -> out [M_pad / 8][pairs][8] int32, lane r of pair p = A[r, 2p] | A[r, 2p+1] << 16,
// zero past M and K; pairs = 2 * quads, so every stored quad finds both its pairs.
void pack_rows(std::size_t M, const std::uint8_t* A, std::size_t lda, std::size_t K,
               std::size_t pairs, std::vector<std::int32_t>& out) {
  const std::size_t blocks = (M + kRows - 1) / kRows;
  out.assign(blocks * pairs * kRows, 0);
  for (std::size_t m = 0; m < M; ++m) {
    const std::uint8_t* src = A + m * lda;                                    // (K)
    std::int32_t* dst = out.data() + (m / kRows) * pairs * kRows + m % kRows;  // stride 8
    std::size_t p = 0;
    for (; 2 * p + 1 < K; ++p)
      dst[p * kRows] = static_cast<std::int32_t>(src[2 * p] | std::uint32_t{src[2 * p + 1]} << 16);
    if (2 * p < K) dst[p * kRows] = src[2 * p];
  }
}

// C (rows, N) = A_blocks · W^T for MB consecutive blocks of 8 packed rows (rows <= 8 MB of
// them real): per weight row, each stored quad broadcasts its two int16 pairs and meets the
// two matching pair vectors of every block. The 8 sums of a block go down column n of C.
template <int MB>
PODA_AVX2 void sparse_rows(const SparseInt8Weights& W, const std::int32_t* Ap, std::size_t pairs,
                           std::int32_t* C, std::size_t ldc, std::size_t rows) {
  const std::size_t block = pairs * kRows;
  alignas(32) std::int32_t sums[kRows];
  for (std::size_t n = 0; n < W.n; ++n) {
    __m256i lo[MB], hi[MB];
#pragma GCC unroll 4
    for (int b = 0; b < MB; ++b) lo[b] = hi[b] = _mm256_setzero_si256();
    for (std::uint32_t e = W.row_start[n]; e < W.row_start[n + 1]; ++e) {
      const __m256i w01 = _mm256_set1_epi32(W.pairs[2 * e]);
      const __m256i w23 = _mm256_set1_epi32(W.pairs[2 * e + 1]);
      const std::int32_t* a = Ap + 2 * static_cast<std::size_t>(W.quad[e]) * kRows;
#pragma GCC unroll 4
      for (int b = 0; b < MB; ++b) {
        const auto* v = reinterpret_cast<const __m256i*>(a + b * block);
        lo[b] = _mm256_add_epi32(lo[b], _mm256_madd_epi16(_mm256_loadu_si256(v), w01));
        hi[b] = _mm256_add_epi32(hi[b], _mm256_madd_epi16(_mm256_loadu_si256(v + 1), w23));
      }
    }
#pragma GCC unroll 4
    for (int b = 0; b < MB; ++b) {
      const std::size_t first = kRows * static_cast<std::size_t>(b);
      if (first >= rows) break;
      _mm256_store_si256(reinterpret_cast<__m256i*>(sums), _mm256_add_epi32(lo[b], hi[b]));
      const std::size_t valid = std::min(rows - first, kRows);
      for (std::size_t r = 0; r < valid; ++r) C[(first + r) * ldc + n] = sums[r];
    }
  }
}

}  // namespace

void sparse_gemm_u8s8_avx2(std::size_t M, const std::uint8_t* A, std::size_t lda,
                           const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  if (W.pairs.size() != 2 * W.entries())
    throw std::logic_error("sparse_gemm_u8s8_avx2: the weights were built without int16 pairs");
  thread_local std::vector<std::int32_t> packed;  // (M_pad / 8, pairs, 8)
  const std::size_t pairs = 2 * W.quads(), blocks = (M + kRows - 1) / kRows;
  pack_rows(M, A, lda, W.k, pairs, packed);
  for (std::size_t b0 = 0; b0 < blocks; b0 += kMaxBlocks) {
    const std::int32_t* Ap = packed.data() + b0 * pairs * kRows;
    std::int32_t* Cb = C + b0 * kRows * ldc;
    const std::size_t rows = M - b0 * kRows;
    switch (std::min(blocks - b0, kMaxBlocks)) {
      case 4: sparse_rows<4>(W, Ap, pairs, Cb, ldc, rows); break;
      case 3: sparse_rows<3>(W, Ap, pairs, Cb, ldc, rows); break;
      case 2: sparse_rows<2>(W, Ap, pairs, Cb, ldc, rows); break;
      default: sparse_rows<1>(W, Ap, pairs, Cb, ldc, rows); break;
    }
  }
}

}  // namespace poda::detail

#else

namespace poda::detail {
void sparse_gemm_u8s8_avx2(std::size_t, const std::uint8_t*, std::size_t,
                           const SparseInt8Weights&, std::int32_t*, std::size_t) {
  throw std::logic_error("sparse_gemm_u8s8_avx2: not built for this CPU architecture");
}
}  // namespace poda::detail

#endif
