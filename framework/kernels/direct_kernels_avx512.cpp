// The AVX-512 builds of the direct kernels (how they build: kernels/avx512_common.h).
#include "kernels/direct_kernels.h"

#include <algorithm>

#if PODA_KERNELS_X86
#include "kernels/avx512_common.h"

namespace poda::kernels {
namespace {

// R rows over n <= 16 * NV positions: y[r, 0:n) = bias[r] + Σ_k w[r, k] * xr[off[k] + 0:n).
// R * NV accumulators; each tap loads NV input vectors once for all R rows.
template <int R, int NV>
PODA_AVX512 inline void shifted_block(const float* w, std::size_t K, const std::int32_t* off,
                                      const float* xr, const float* bias, std::size_t n, float* y,
                                      std::size_t ldy) {
  __mmask16 m[NV];
  __m512 acc[R][NV];
  PODA_UNROLL for (int v = 0; v < NV; ++v) {
    m[v] = n > std::size_t(16 * v) ? lanes(n - 16 * v) : 0;
    PODA_UNROLL for (int r = 0; r < R; ++r) acc[r][v] = _mm512_set1_ps(bias[r]);
  }
  for (std::size_t k = 0; k < K; ++k) {
    const float* xs = xr + off[k];  // (n)
    __m512 xv[NV];
    PODA_UNROLL for (int v = 0; v < NV; ++v) xv[v] = _mm512_maskz_loadu_ps(m[v], xs + 16 * v);
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      const __m512 wv = _mm512_set1_ps(w[r * K + k]);
      PODA_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(wv, xv[v], acc[r][v]);
    }
  }
  PODA_UNROLL for (int r = 0; r < R; ++r) {
    PODA_UNROLL for (int v = 0; v < NV; ++v)
        _mm512_mask_storeu_ps(y + r * ldy + 16 * v, m[v], acc[r][v]);
  }
}

// The last n <= 16 * NV positions, in as few vectors as they need (a 10-wide LeNet-5 map
// leaves tails of a few positions).
template <int R, int NV>
PODA_AVX512 inline void shifted_tail(const float* w, std::size_t K, const std::int32_t* off,
                                     const float* xr, const float* bias, std::size_t n, float* y,
                                     std::size_t ldy) {
  if constexpr (NV > 1)
    if (n <= std::size_t(16 * (NV - 1)))
      return shifted_tail<R, NV - 1>(w, K, off, xr, bias, n, y, ldy);
  shifted_block<R, NV>(w, K, off, xr, bias, n, y, ldy);
}

// R rows sharing one input base, all of L. At least eight accumulators hide the FMA
// latency: one row runs 128 positions at a time, more rows 64.
template <int R>
PODA_AVX512 void shifted_rows(const float* w, std::size_t K, const std::int32_t* off,
                              const float* xr, const float* bias, std::size_t L, float* y,
                              std::size_t ldy) {
  constexpr int NV = R == 1 ? 8 : 4;
  std::size_t p = 0;
  for (; p + 16 * NV <= L; p += 16 * NV)
    shifted_block<R, NV>(w, K, off, xr + p, bias, 16 * NV, y + p, ldy);
  if (p < L) shifted_tail<R, NV>(w, K, off, xr + p, bias, L - p, y + p, ldy);
}

// The sum of v's lanes. The zero-masked shuffles: GCC 12's unmasked ones (and with them
// _mm512_reduce_add_ps) trip -Wmaybe-uninitialized on their undefined pass-through.
PODA_AVX512 inline float lane_sum(__m512 v) {
  const __mmask16 all = 0xFFFF;
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(all, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(all, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(all, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(all, v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_cvtss_f32(v);
}

// R rows of y = act(bias + w · x), two vectors of columns per step (2R FMA chains).
template <int R>
PODA_AVX512 inline void matvec_rows(const float* w, std::size_t cols, const float* x,
                                    const float* bias, float* y, bool relu) {
  __m512 a[R], b[R];
  PODA_UNROLL for (int r = 0; r < R; ++r) a[r] = b[r] = _mm512_setzero_ps();
  std::size_t c = 0;
  for (; c + 32 <= cols; c += 32) {
    const __m512 x0 = _mm512_loadu_ps(x + c), x1 = _mm512_loadu_ps(x + c + 16);
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      a[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * cols + c), x0, a[r]);
      b[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * cols + c + 16), x1, b[r]);
    }
  }
  for (; c < cols; c += 16) {
    const __mmask16 m = lanes(cols - c);
    const __m512 x0 = _mm512_maskz_loadu_ps(m, x + c);
    PODA_UNROLL for (int r = 0; r < R; ++r) a[r] =
        _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + r * cols + c), x0, a[r]);
  }
  PODA_UNROLL for (int r = 0; r < R; ++r) {
    const float sum = bias[r] + lane_sum(_mm512_add_ps(a[r], b[r]));
    y[r] = relu && sum < 0.0f ? 0.0f : sum;
  }
}

// max(a, b); zero-masked for the reason of lane_sum.
PODA_AVX512 inline __m512 vmax(__m512 a, __m512 b) {
  return _mm512_maskz_max_ps(0xFFFF, a, b);
}

// 16 outputs of a pooled row from input rows r0 and r1 (2n <= 32 inputs each, n <= 16).
PODA_AVX512 inline void pool_row16(const float* r0, const float* r1, std::size_t n, __m512 floor,
                                   float* y) {
  const __mmask16 lo = lanes(2 * n), hi = n > 8 ? lanes(2 * n - 16) : 0;
  const __m512 a = vmax(_mm512_maskz_loadu_ps(lo, r0), _mm512_maskz_loadu_ps(lo, r1));
  const __m512 b = vmax(_mm512_maskz_loadu_ps(hi, r0 + 16), _mm512_maskz_loadu_ps(hi, r1 + 16));
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512 pairs = vmax(_mm512_permutex2var_ps(a, even, b), _mm512_permutex2var_ps(a, odd, b));
  _mm512_mask_storeu_ps(y, lanes(n), vmax(pairs, floor));
}

}  // namespace

PODA_AVX512 static void max_pool2x2_avx512(const float* x, std::size_t row_stride,
                                    std::size_t plane_stride, std::size_t planes, std::size_t ph,
                                    std::size_t pw, float floor, float* y) {
  const __m512 f = _mm512_set1_ps(floor);
  for (std::size_t c = 0; c < planes; ++c)
    for (std::size_t i = 0; i < ph; ++i) {
      const float* r0 = x + c * plane_stride + 2 * i * row_stride;
      float* yr = y + (c * ph + i) * pw;
      for (std::size_t j = 0; j < pw; j += 16)
        pool_row16(r0 + 2 * j, r0 + row_stride + 2 * j, std::min<std::size_t>(16, pw - j), f,
                   yr + j);
    }
}

// Rows in blocks of up to four that share an input base (one convolution group).
PODA_AVX512 static void dense_rows_shifted_avx512(const float* w, std::size_t rows, std::size_t K,
                                           const std::int32_t* col_offset,
                                           const std::int32_t* row_base, const float* bias,
                                           const float* x, std::size_t L, float* y,
                                           std::size_t ldy) {
  auto base = [&](std::size_t r) { return row_base ? row_base[r] : 0; };
  for (std::size_t r = 0; r < rows;) {
    std::size_t n = 1;
    while (n < 4 && r + n < rows && base(r + n) == base(r)) ++n;
    const float* wr = w + r * K;
    const float* xr = x + base(r);
    float* yr = y + r * ldy;
    if (n == 4)
      shifted_rows<4>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    else if (n == 3)
      shifted_rows<3>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    else if (n == 2)
      shifted_rows<2>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    else
      shifted_rows<1>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    r += n;
  }
}

PODA_AVX512 static void dense_matvec_avx512(const float* w, std::size_t rows, std::size_t cols,
                                     const float* bias, const float* x, float* y, bool relu) {
  std::size_t r = 0;
  for (; r + 4 <= rows; r += 4) matvec_rows<4>(w + r * cols, cols, x, bias + r, y + r, relu);
  for (; r < rows; ++r) matvec_rows<1>(w + r * cols, cols, x, bias + r, y + r, relu);
}

const DirectKernels direct_avx512{dense_rows_shifted_avx512, dense_matvec_avx512,
                                  max_pool2x2_avx512};

}  // namespace poda::kernels

#endif
