// The AVX-512 builds of the sparse kernels. Compiled with target attributes rather than
// flags, so the file builds on any x86-64 compiler setting and runs only where
// avx512_kernels_available() said yes.
#include "infer/sparse_kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define PODA_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

namespace poda::kernels {
namespace {

// The first n (< 16) lanes.
PODA_AVX512 inline __mmask16 first_lanes(std::size_t n) {
  return static_cast<__mmask16>((1u << n) - 1u);
}

// Σ_j val[j] * x[col[j]] over one row's entries [begin, end): 16 gathers at a time, the
// 16-bit columns widened in one instruction, the tail masked.
PODA_AVX512 inline float row_dot(const float* val, const std::uint16_t* col, std::int32_t begin,
                                 std::int32_t end, const float* x) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  std::int32_t j = begin;
  for (; j + 32 <= end; j += 32) {
    const __m512i i0 = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)(col + j)));
    const __m512i i1 = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)(col + j + 16)));
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(val + j), _mm512_i32gather_ps(i0, x, 4), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(val + j + 16), _mm512_i32gather_ps(i1, x, 4), acc1);
  }
  for (; j + 16 <= end; j += 16) {
    const __m512i i0 = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)(col + j)));
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(val + j), _mm512_i32gather_ps(i0, x, 4), acc0);
  }
  if (j < end) {
    const __mmask16 m = first_lanes(std::size_t(end - j));
    const __m512i i1 = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, col + j));
    const __m512 xv = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, i1, x, 4);
    acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, val + j), xv, acc1);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

// y[0:64) = b + Σ_j val[j] * xr[col_offset[col[j]] + 0:64), four registers across L.
PODA_AVX512 inline void row_block64(const float* val, const std::uint16_t* col, std::int32_t begin,
                                    std::int32_t end, const std::int32_t* col_offset,
                                    const float* xr, float b, float* y) {
  __m512 a0 = _mm512_set1_ps(b), a1 = a0, a2 = a0, a3 = a0;
  for (std::int32_t j = begin; j < end; ++j) {
    const __m512 v = _mm512_set1_ps(val[j]);
    const float* xs = xr + col_offset[col[j]];  // (64)
    a0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs), a0);
    a1 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 16), a1);
    a2 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 32), a2);
    a3 = _mm512_fmadd_ps(v, _mm512_loadu_ps(xs + 48), a3);
  }
  _mm512_storeu_ps(y, a0);
  _mm512_storeu_ps(y + 16, a1);
  _mm512_storeu_ps(y + 32, a2);
  _mm512_storeu_ps(y + 48, a3);
}

// The same for n <= 16 positions (masked when n < 16).
PODA_AVX512 inline void row_block16(const float* val, const std::uint16_t* col, std::int32_t begin,
                                    std::int32_t end, const std::int32_t* col_offset,
                                    const float* xr, float b, float* y, std::size_t n) {
  const __mmask16 m = n >= 16 ? __mmask16(0xFFFF) : first_lanes(n);
  __m512 a = _mm512_set1_ps(b);
  for (std::int32_t j = begin; j < end; ++j)
    a = _mm512_fmadd_ps(_mm512_set1_ps(val[j]),
                        _mm512_maskz_loadu_ps(m, xr + col_offset[col[j]]), a);
  _mm512_mask_storeu_ps(y, m, a);
}

}  // namespace

// y (rows) = bias + w (rows, cols) · x (cols)
PODA_AVX512 void sparse_matvec_avx512(const CsrMatrix& w, const float* bias, const float* x,
                                      float* y) {
  const std::int32_t* ptr = w.row_ptr.data();
  for (std::size_t r = 0; r < w.rows; ++r)
    y[r] = (bias ? bias[r] : 0.0f) + row_dot(w.val.data(), w.col.data(), ptr[r], ptr[r + 1], x);
}

// y[r, 0:L) = bias[r] + Σ_j val[j] * x[row_base[r] + col_offset[col[j]] + 0:L)
PODA_AVX512 void sparse_rows_shifted_avx512(const CsrMatrix& w, const std::int32_t* col_offset,
                                            const std::int32_t* row_base, const float* bias,
                                            const float* x, std::size_t L, float* y,
                                            std::size_t ldy) {
  const std::int32_t* ptr = w.row_ptr.data();
  for (std::size_t r = 0; r < w.rows; ++r) {
    const float* xr = x + (row_base ? row_base[r] : 0);
    const float b = bias ? bias[r] : 0.0f;
    float* yr = y + r * ldy;  // (L)
    std::size_t p = 0;
    for (; p + 64 <= L; p += 64)
      row_block64(w.val.data(), w.col.data(), ptr[r], ptr[r + 1], col_offset, xr + p, b, yr + p);
    for (; p < L; p += 16)
      row_block16(w.val.data(), w.col.data(), ptr[r], ptr[r + 1], col_offset, xr + p, b, yr + p,
                  L - p);
  }
}

}  // namespace poda::kernels

#else  // not x86-64 GCC/Clang: never selected (avx512_kernels_available() is false)

namespace poda::kernels {
void sparse_matvec_avx512(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  sparse_matvec_portable(w, bias, x, y);
}
void sparse_rows_shifted_avx512(const CsrMatrix& w, const std::int32_t* col_offset,
                                const std::int32_t* row_base, const float* bias, const float* x,
                                std::size_t L, float* y, std::size_t ldy) {
  sparse_rows_shifted_portable(w, col_offset, row_base, bias, x, L, y, ldy);
}
}  // namespace poda::kernels

#endif
