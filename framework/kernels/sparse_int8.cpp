#include "kernels/sparse_int8.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/gemm_int8.h"
#include "kernels/int8_kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PODA_SPARSE_VNNI 1
#endif

namespace poda {

namespace {

// The pair entries of SparseInt8Weights from the dense rows w (N, K).
void keep_pairs(const std::int8_t* w, SparseInt8Weights& s) {
  s.pair_start.assign(1, 0);
  for (std::size_t n = 0; n < s.n; ++n) {
    for (std::size_t k = 0; k < s.k; k += 2) {
      const std::int8_t lo = w[n * s.k + k], hi = k + 1 < s.k ? w[n * s.k + k + 1] : 0;
      if (lo == 0 && hi == 0) continue;
      const std::uint32_t bits = static_cast<std::uint16_t>(lo) |
                                 static_cast<std::uint32_t>(static_cast<std::uint16_t>(hi)) << 16;
      s.pair_index.push_back(static_cast<std::uint32_t>(k / 2));
      s.pair_value.push_back(static_cast<std::int32_t>(bits));
    }
    s.pair_start.push_back(static_cast<std::uint32_t>(s.pair_index.size()));
  }
}

}  // namespace

SparseInt8Weights sparsify_int8_weights(const std::int8_t* w, std::size_t N, std::size_t K) {
  if (K >= 66000)
    throw std::invalid_argument("sparsify_int8_weights: K = " + std::to_string(K) +
                                " could overflow the int32 sums (K must be < 66000)");
  SparseInt8Weights s;
  s.n = N;
  s.k = K;
  s.row_start.assign(1, 0);
  s.row_sum.assign(N, 0);
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t q = 0; q < s.quads(); ++q) {
      std::int8_t bytes[4] = {};
      bool any = false;
      for (std::size_t b = 0; b < 4 && 4 * q + b < K; ++b) {
        bytes[b] = w[n * K + 4 * q + b];
        any = any || bytes[b] != 0;
        s.row_sum[n] += bytes[b];
      }
      if (!any) continue;
      std::int32_t packed;
      std::memcpy(&packed, bytes, sizeof packed);
      s.quad.push_back(static_cast<std::uint32_t>(q));
      s.packed.push_back(packed);
    }
    s.row_start.push_back(static_cast<std::uint32_t>(s.quad.size()));
  }
  if (int8_avx2_runnable()) keep_pairs(w, s);
  return s;
}

namespace detail {

void sparse_gemm_u8s8_scalar(std::size_t M, const std::uint8_t* A, std::size_t lda,
                   const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  for (std::size_t m = 0; m < M; ++m) {
    const std::uint8_t* a = A + m * lda;  // (K)
    for (std::size_t n = 0; n < W.n; ++n) {
      std::int32_t acc = 0;
      for (std::uint32_t e = W.row_start[n]; e < W.row_start[n + 1]; ++e) {
        std::int8_t w[4];
        std::memcpy(w, &W.packed[e], sizeof w);
        const std::size_t k0 = 4 * static_cast<std::size_t>(W.quad[e]);
        for (std::size_t b = 0; b < 4 && k0 + b < W.k; ++b) acc += a[k0 + b] * w[b];
      }
      C[m * ldc + n] = acc;
    }
  }
}

#ifdef PODA_SPARSE_VNNI
namespace {

#define PODA_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

// A (M, K) -> [M_pad / 16][quads][16][4]: for a block of 16 rows, each K quad is one zmm
// with row r's 4 bytes in lane r, zero-padded past M and K.
void pack_activations(std::size_t M, const std::uint8_t* A, std::size_t lda, std::size_t K,
                      std::vector<std::uint8_t>& out) {
  const std::size_t quads = (K + 3) / 4, blocks = (M + 15) / 16, full = K / 4;
  out.resize(blocks * quads * 64);  // every byte is written below: no zero fill per call
  for (std::size_t m = 0; m < blocks * 16; ++m) {
    std::uint8_t* dst = out.data() + (m / 16) * quads * 64 + (m % 16) * 4;
    if (m >= M) {  // padding rows
      for (std::size_t q = 0; q < quads; ++q) std::memset(dst + q * 64, 0, 4);
      continue;
    }
    const std::uint8_t* src = A + m * lda;
    for (std::size_t q = 0; q < full; ++q) std::memcpy(dst + q * 64, src + 4 * q, 4);
    if (full < quads) {
      std::uint8_t tail[4] = {};
      std::memcpy(tail, src + 4 * full, K - 4 * full);
      std::memcpy(dst + full * 64, tail, 4);
    }
  }
}

// acc[b] += A_block b, quad of entry e (16 rows) · the entry's 4 weights (broadcast).
template <int MB>
PODA_VNNI inline void sparse_step(__m512i (&acc)[MB], const SparseInt8Weights& W, std::uint32_t e,
                                  const std::uint8_t* Ap, std::size_t block_bytes) {
  const __m512i w = _mm512_set1_epi32(W.packed[e]);
  const std::uint8_t* a = Ap + static_cast<std::size_t>(W.quad[e]) * 64;
#pragma GCC unroll 4
  for (int b = 0; b < MB; ++b)
    acc[b] = _mm512_dpbusd_epi32(acc[b], _mm512_loadu_si512(a + b * block_bytes), w);
}

// C (rows, N) = A_block · W^T for MB consecutive blocks of 16 packed rows (rows <= 16 MB
// of them real): per weight row, one broadcast of each stored quad and MB vpdpbusd. Entries
// go round-robin to 4 sets of accumulators, so independent chains hide vpdpbusd's latency;
// each block's 16 sums are scattered down column n of C (no transposed copy).
template <int MB>
PODA_VNNI void sparse_rows(const SparseInt8Weights& W, const std::uint8_t* Ap, std::size_t quads,
                           std::int32_t* C, std::size_t ldc, std::size_t rows) {
  const std::size_t block_bytes = quads * 64;
  const __m512i row_offsets =
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32(static_cast<int>(ldc)));
  for (std::size_t n = 0; n < W.n; ++n) {
    __m512i acc0[MB], acc1[MB], acc2[MB], acc3[MB];
#pragma GCC unroll 4
    for (int b = 0; b < MB; ++b) acc0[b] = acc1[b] = acc2[b] = acc3[b] = _mm512_setzero_si512();
    std::uint32_t e = W.row_start[n];
    const std::uint32_t end = W.row_start[n + 1];
    for (; e + 3 < end; e += 4) {
      sparse_step<MB>(acc0, W, e, Ap, block_bytes);
      sparse_step<MB>(acc1, W, e + 1, Ap, block_bytes);
      sparse_step<MB>(acc2, W, e + 2, Ap, block_bytes);
      sparse_step<MB>(acc3, W, e + 3, Ap, block_bytes);
    }
    for (; e < end; ++e) sparse_step<MB>(acc0, W, e, Ap, block_bytes);
#pragma GCC unroll 4
    for (int b = 0; b < MB; ++b) {
      const __m512i sum =
          _mm512_add_epi32(_mm512_add_epi32(acc0[b], acc1[b]), _mm512_add_epi32(acc2[b], acc3[b]));
      const std::size_t first = 16 * static_cast<std::size_t>(b);
      if (first >= rows) break;
      const std::size_t valid = rows - first < 16 ? rows - first : 16;
      _mm512_mask_i32scatter_epi32(C + first * ldc + n, static_cast<__mmask16>((1u << valid) - 1u),
                                   row_offsets, sum, 4);
    }
  }
}

}  // namespace

void sparse_gemm_u8s8_vnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                           const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  thread_local std::vector<std::uint8_t> packed;  // (M_pad / 16, quads, 16, 4)
  const std::size_t quads = W.quads(), blocks = (M + 15) / 16;
  pack_activations(M, A, lda, W.k, packed);
  for (std::size_t b0 = 0; b0 < blocks; b0 += 4) {
    const std::uint8_t* Ap = packed.data() + b0 * quads * 64;
    std::int32_t* Cb = C + b0 * 16 * ldc;
    const std::size_t rows = M - b0 * 16;
    switch (blocks - b0 < 4 ? blocks - b0 : 4) {
      case 4: sparse_rows<4>(W, Ap, quads, Cb, ldc, rows); break;
      case 3: sparse_rows<3>(W, Ap, quads, Cb, ldc, rows); break;
      case 2: sparse_rows<2>(W, Ap, quads, Cb, ldc, rows); break;
      default: sparse_rows<1>(W, Ap, quads, Cb, ldc, rows); break;
    }
  }
}
#else
void sparse_gemm_u8s8_vnni(std::size_t, const std::uint8_t*, std::size_t, const SparseInt8Weights&,
                           std::int32_t*, std::size_t) {
  throw std::logic_error("sparse_gemm_u8s8_vnni: not built for this CPU architecture");
}
#endif

}  // namespace detail

void sparse_gemm_u8s8(std::size_t M, const std::uint8_t* A, std::size_t lda,
                      const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  if (lda < W.k || ldc < W.n)
    throw std::invalid_argument("sparse_gemm_u8s8: lda " + std::to_string(lda) + " < K " +
                                std::to_string(W.k) + " or ldc " + std::to_string(ldc) + " < N " +
                                std::to_string(W.n));
  int8_kernels().active().sparse_gemm(M, A, lda, W, C, ldc);
}

}  // namespace poda
