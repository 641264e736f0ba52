// The AVX-512 builds of the sparse kernels (how they build: kernels/avx512_common.h).
#include "kernels/sparse_kernels.h"

#include <algorithm>
#include <cstring>

#if PODA_KERNELS_X86
#include "kernels/avx512_common.h"

namespace poda::kernels {
namespace {

// Every lane, for the zero-masked forms of shuffles and widenings: GCC 12's unmasked ones
// trip -Wmaybe-uninitialized on their undefined pass-through.
constexpr __mmask16 all_lanes = 0xFFFF;

// Where column c of a row starts: a table (convolutions) or c * stride (batched Dense).
struct TableOffset {
  const std::int32_t* table;
  std::int32_t operator()(std::uint16_t c) const { return table[c]; }
};
struct StrideOffset {
  std::int32_t stride;
  std::int32_t operator()(std::uint16_t c) const { return std::int32_t(c) * stride; }
};

// y[0:64) = b + Σ_j val[j] * xr[offset(col[j]) + 0:64): four registers across L, two sets
// (even and odd entries) so eight FMA chains hide the FMA latency.
template <class Offset>
PODA_AVX512 inline void row_block64(const float* val, const std::uint16_t* col, std::int32_t begin,
                                    std::int32_t end, Offset offset, const float* xr, float b,
                                    float* y) {
  __m512 a0 = _mm512_set1_ps(b), a1 = a0, a2 = a0, a3 = a0;
  __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
  std::int32_t j = begin;
  for (; j + 2 <= end; j += 2) {
    const __m512 v = _mm512_set1_ps(val[j]), w = _mm512_set1_ps(val[j + 1]);
    const float* xs = xr + offset(col[j]);      // (64)
    const float* xt = xr + offset(col[j + 1]);  // (64)
    a0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs), a0);
    a1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 16), a1);
    a2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 32), a2);
    a3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 48), a3);
    c0 = _mm512_fmadd_ps(w, _mm512_loadu_ps(xt), c0);
    c1 = _mm512_fmadd_ps(w, _mm512_loadu_ps(xt + 16), c1);
    c2 = _mm512_fmadd_ps(w, _mm512_loadu_ps(xt + 32), c2);
    c3 = _mm512_fmadd_ps(w, _mm512_loadu_ps(xt + 48), c3);
  }
  if (j < end) {
    const __m512 v = _mm512_set1_ps(val[j]);
    const float* xs = xr + offset(col[j]);
    a0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs), a0);
    a1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 16), a1);
    a2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 32), a2);
    a3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 48), a3);
  }
  _mm512_storeu_ps(y, _mm512_add_ps(a0, c0));
  _mm512_storeu_ps(y + 16, _mm512_add_ps(a1, c1));
  _mm512_storeu_ps(y + 32, _mm512_add_ps(a2, c2));
  _mm512_storeu_ps(y + 48, _mm512_add_ps(a3, c3));
}

// The same for n <= 16 positions (masked when n < 16), four chains over the entries.
template <class Offset>
PODA_AVX512 inline void row_block16(const float* val, const std::uint16_t* col, std::int32_t begin,
                                    std::int32_t end, Offset offset, const float* xr, float b,
                                    float* y, std::size_t n) {
  const __mmask16 m = lanes(n);
  __m512 a[4] = {_mm512_set1_ps(b), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  std::int32_t j = begin;
  for (; j + 4 <= end; j += 4)
    for (int u = 0; u < 4; ++u)
      a[u] = _mm512_fmadd_ps(_mm512_set1_ps(val[j + u]),
                             _mm512_maskz_loadu_ps(m, xr + offset(col[j + u])), a[u]);
  for (; j < end; ++j)
    a[0] = _mm512_fmadd_ps(_mm512_set1_ps(val[j]), _mm512_maskz_loadu_ps(m, xr + offset(col[j])),
                           a[0]);
  _mm512_mask_storeu_ps(y, m, _mm512_add_ps(_mm512_add_ps(a[0], a[1]), _mm512_add_ps(a[2], a[3])));
}

// y[r, 0:L) = bias[r] + Σ_j val[j] * x[row_base[r] + offset(col[j]) + 0:L)
template <class Offset>
PODA_AVX512 void rows_shifted(const CsrMatrix& w, Offset offset, const std::int32_t* row_base,
                              const float* bias, const float* x, std::size_t L, float* y,
                              std::size_t ldy) {
  const std::int32_t* ptr = w.row_ptr.data();
  for (std::size_t r = 0; r < w.rows; ++r) {
    const float* xr = x + (row_base ? row_base[r] : 0);
    const float b = bias ? bias[r] : 0.0f;
    float* yr = y + r * ldy;  // (L)
    std::size_t p = 0;
    for (; p + 64 <= L; p += 64)
      row_block64(w.val.data(), w.col.data(), ptr[r], ptr[r + 1], offset, xr + p, b, yr + p);
    for (; p < L; p += 16)
      row_block16(w.val.data(), w.col.data(), ptr[r], ptr[r + 1], offset, xr + p, b, yr + p, L - p);
  }
}

// acc (16 rows) += val (16) * x[col0 + idx (16)], the inputs x[col0 : col0+32) in lo and hi.
PODA_AVX512 inline __m512 slot(const float* val, const std::uint8_t* idx, __m512 lo, __m512 hi,
                               __m512 acc) {
  const __m512i i =
      _mm512_maskz_cvtepu8_epi32(all_lanes, _mm_loadu_si128(reinterpret_cast<const __m128i*>(idx)));
  return _mm512_fmadd_ps(_mm512_loadu_ps(val), _mm512_permutex2var_ps(lo, i, hi), acc);
}

// y (rows) = bias + w · x on the slice layout (kernels/csr.h): sixteen rows per register, a
// permute per 16 entries where CSR needs 16 scalar loads; four FMA chains.
PODA_AVX512 void sliced_matvec(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  const MatvecSlices& s = w.slices;
  const float* val = s.val.data();
  const std::uint8_t* idx = s.idx.data();
  for (std::size_t sl = 0; sl + 1 < s.slice_ptr.size(); ++sl) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (std::uint32_t b = s.slice_ptr[sl]; b < s.slice_ptr[sl + 1]; ++b) {
      const std::size_t col0 = s.blocks[b].col0, n = std::min<std::size_t>(32, w.cols - col0);
      const __m512 lo = _mm512_maskz_loadu_ps(lanes(n), x + col0);
      const __m512 hi =
          n > 16 ? _mm512_maskz_loadu_ps(lanes(n - 16), x + col0 + 16) : _mm512_setzero_ps();
      std::uint32_t k = 0;
      for (; k + 4 <= s.blocks[b].slots; k += 4, val += 64, idx += 64) {
        a0 = slot(val, idx, lo, hi, a0);
        a1 = slot(val + 16, idx + 16, lo, hi, a1);
        a2 = slot(val + 32, idx + 32, lo, hi, a2);
        a3 = slot(val + 48, idx + 48, lo, hi, a3);
      }
      for (; k < s.blocks[b].slots; ++k, val += 16, idx += 16) a0 = slot(val, idx, lo, hi, a0);
    }
    const __mmask16 m = lanes(w.rows - sl * 16);
    const __m512 b = bias ? _mm512_maskz_loadu_ps(m, bias + sl * 16) : _mm512_setzero_ps();
    const __m512 sum = _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3));
    _mm512_mask_storeu_ps(y + sl * 16, m, _mm512_add_ps(sum, b));
  }
}

}  // namespace

// Batch 1: the slice layout when the layer built it, else the CSR loop of the AVX2 build (AVX-512
// gathers measured no faster than scalar loads on Zen 5: 8.5 vs 8.0 us for LeNet-300-100's
// fc1 at 90%).
static void sparse_matvec_avx512(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  if (w.slices.empty()) return sparse_avx2.sparse_matvec(w, bias, x, y);
  sliced_matvec(w, bias, x, y);
}

// dst (16, 16) = src (16, 16)ᵀ with row strides lds and ldd: three shuffle stages.
PODA_AVX512 inline void transpose16(const float* src, std::size_t lds, float* dst,
                                    std::size_t ldd) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * lds);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_maskz_unpacklo_ps(all_lanes, r[i], r[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_ps(all_lanes, r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_maskz_shuffle_ps(all_lanes, t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm512_maskz_shuffle_ps(all_lanes, t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm512_maskz_shuffle_ps(all_lanes, t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm512_maskz_shuffle_ps(all_lanes, t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i], r[i + 4], 0xdd);
    t[i + 8] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i + 8], r[i + 12], 0xdd);
  }
  for (int i = 0; i < 8; ++i) {
    _mm512_storeu_ps(dst + i * ldd, _mm512_maskz_shuffle_f32x4(all_lanes, t[i], t[i + 8], 0x88));
    _mm512_storeu_ps(dst + (i + 8) * ldd,
                     _mm512_maskz_shuffle_f32x4(all_lanes, t[i], t[i + 8], 0xdd));
  }
}

// dst (cols, rows) = src (rows, cols)ᵀ: 16x16 blocks in registers, the edges by the loop.
PODA_AVX512 static void transpose_avx512(const float* src, std::size_t rows, std::size_t cols,
                                  float* dst) {
  if (rows == 1 || cols == 1) {  // a copy (a plan's layout change at batch 1)
    std::memcpy(dst, src, rows * cols * sizeof(float));
    return;
  }
  const std::size_t r16 = rows / 16 * 16, c16 = cols / 16 * 16;
  for (std::size_t r = 0; r < r16; r += 16)
    for (std::size_t c = 0; c < c16; c += 16)
      transpose16(src + r * cols + c, cols, dst + c * rows + r, rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = (r < r16 ? c16 : 0); c < cols; ++c) dst[c * rows + r] = src[r * cols + c];
}

PODA_AVX512 static void sparse_rows_shifted_avx512(const CsrMatrix& w, const std::int32_t* col_offset,
                                            const std::int32_t* row_base, const float* bias,
                                            const float* x, std::size_t L, float* y,
                                            std::size_t ldy) {
  rows_shifted(w, TableOffset{col_offset}, row_base, bias, x, L, y, ldy);
}

PODA_AVX512 static void sparse_rows_strided_avx512(const CsrMatrix& w, const float* bias, const float* x,
                                            std::size_t ldx, std::size_t L, float* y,
                                            std::size_t ldy) {
  rows_shifted(w, StrideOffset{std::int32_t(ldx)}, nullptr, bias, x, L, y, ldy);
}

// A training kernel (core/sparse_linear.h): the AVX2 build serves AVX-512 CPUs too.
static void sampled_dots_avx512(const CsrMatrix& w, const float* a, const float* b,
                                std::size_t L, float* out) {
  sparse_avx2.sampled_dots(w, a, b, L, out);
}

const SparseKernels sparse_avx512{sparse_matvec_avx512, sparse_rows_shifted_avx512,
                                  sparse_rows_strided_avx512, transpose_avx512,
                                  sampled_dots_avx512};

}  // namespace poda::kernels

#endif
