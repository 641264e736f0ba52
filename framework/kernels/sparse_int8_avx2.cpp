// The AVX2 path of sparse_gemm_u8s8: rows of A packed 8 to a ymm as int16 pairs, and per
// stored weight pair one vpmaddwd per block of 8 rows, exact for the same reason as
// gemm_int8_avx2.cpp. Target attribute, like that file.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "kernels/sparse_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace poda::detail {

namespace {

#define PODA_AVX2 __attribute__((target("avx2,fma")))

constexpr std::size_t kRows = 8;       // rows of A per ymm
constexpr std::size_t kMaxBlocks = 4;  // blocks of 8 rows per pass over the weights

// A (M, K) -> out [M_pad / 8][pairs][8] int32, lane r of pair p = A[r, 2p] | A[r, 2p+1] << 16,
// zero past M and K.
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
// them real): per weight row, each stored pair is broadcast and meets the matching pair
// vector of every block; entries alternate between two accumulator sets. The 8 sums of a
// block go down column n of C.
template <int MB>
PODA_AVX2 void sparse_rows(const SparseInt8Weights& W, const std::int32_t* Ap, std::size_t pairs,
                           std::int32_t* C, std::size_t ldc, std::size_t rows) {
  const std::size_t block = pairs * kRows;
  alignas(32) std::int32_t sums[kRows];
  for (std::size_t n = 0; n < W.n; ++n) {
    __m256i even[MB], odd[MB];
#pragma GCC unroll 4
    for (int b = 0; b < MB; ++b) even[b] = odd[b] = _mm256_setzero_si256();
    std::uint32_t e = W.pair_start[n];
    const std::uint32_t end = W.pair_start[n + 1];
    for (; e + 1 < end; e += 2) {
      const __m256i w0 = _mm256_set1_epi32(W.pair_value[e]);
      const __m256i w1 = _mm256_set1_epi32(W.pair_value[e + 1]);
      const std::int32_t* a0 = Ap + static_cast<std::size_t>(W.pair_index[e]) * kRows;
      const std::int32_t* a1 = Ap + static_cast<std::size_t>(W.pair_index[e + 1]) * kRows;
#pragma GCC unroll 4
      for (int b = 0; b < MB; ++b) {
        const auto* v0 = reinterpret_cast<const __m256i*>(a0 + b * block);
        const auto* v1 = reinterpret_cast<const __m256i*>(a1 + b * block);
        even[b] = _mm256_add_epi32(even[b], _mm256_madd_epi16(_mm256_loadu_si256(v0), w0));
        odd[b] = _mm256_add_epi32(odd[b], _mm256_madd_epi16(_mm256_loadu_si256(v1), w1));
      }
    }
    if (e < end) {
      const __m256i w0 = _mm256_set1_epi32(W.pair_value[e]);
      const std::int32_t* a0 = Ap + static_cast<std::size_t>(W.pair_index[e]) * kRows;
#pragma GCC unroll 4
      for (int b = 0; b < MB; ++b) {
        const auto* v0 = reinterpret_cast<const __m256i*>(a0 + b * block);
        even[b] = _mm256_add_epi32(even[b], _mm256_madd_epi16(_mm256_loadu_si256(v0), w0));
      }
    }
#pragma GCC unroll 4
    for (int b = 0; b < MB; ++b) {
      const std::size_t first = kRows * static_cast<std::size_t>(b);
      if (first >= rows) break;
      _mm256_store_si256(reinterpret_cast<__m256i*>(sums), _mm256_add_epi32(even[b], odd[b]));
      const std::size_t valid = std::min(rows - first, kRows);
      for (std::size_t r = 0; r < valid; ++r) C[(first + r) * ldc + n] = sums[r];
    }
  }
}

}  // namespace

void sparse_gemm_u8s8_avx2(std::size_t M, const std::uint8_t* A, std::size_t lda,
                           const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  if (W.pair_start.size() != W.n + 1)
    throw std::logic_error("sparse_gemm_u8s8_avx2: the weights were built without pair entries");
  thread_local std::vector<std::int32_t> packed;  // (M_pad / 8, pairs, 8)
  const std::size_t pairs = (W.k + 1) / 2, blocks = (M + kRows - 1) / kRows;
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
