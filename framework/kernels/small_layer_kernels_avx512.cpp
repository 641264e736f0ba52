// The AVX-512 builds of the small-layer kernels (how they build: kernels/avx512_common.h).
#include "kernels/small_layer_kernels.h"

#if PODA_KERNELS_X86
#include <algorithm>

#include "kernels/avx512_common.h"

namespace poda::kernels {
namespace {

// NV output rows x 16 columns (lanes m) of one filter, kernel K:
//   y[r, 0:16) = bias + Σ_{c, kh, kw} w[c, kh, kw] * x[c, r + kh, kw + 0:16)
// x, y at the block's first row and column; rows wp apart, input planes plane apart.
template <int K, int NV>
PODA_AVX512 void rows_block(const float* w, std::size_t c_in, float bias, const float* x,
                            std::size_t wp, std::size_t plane, __mmask16 m, float* y) {
  __m512 acc[NV];
  PODA_UNROLL for (int r = 0; r < NV; ++r) acc[r] = _mm512_set1_ps(bias);
  for (std::size_t c = 0; c < c_in; ++c) {
    const float* xc = x + c * plane;
    const float* wc = w + c * K * K;  // (K, K)
    PODA_UNROLL for (int kw = 0; kw < K; ++kw) {
      __m512 v[NV + K - 1];  // input rows 0 .. NV + K - 2 at column kw
      PODA_UNROLL for (int j = 0; j < NV + K - 1; ++j) v[j] =
          _mm512_maskz_loadu_ps(m, xc + j * wp + kw);
      PODA_UNROLL for (int kh = 0; kh < K; ++kh) {
        const __m512 wv = _mm512_set1_ps(wc[kh * K + kw]);
        PODA_UNROLL for (int r = 0; r < NV; ++r) acc[r] = _mm512_fmadd_ps(wv, v[r + kh], acc[r]);
      }
    }
  }
  PODA_UNROLL for (int r = 0; r < NV; ++r) _mm512_mask_storeu_ps(y + r * wp, m, acc[r]);
}

// rows_block with NV = n <= NV_MAX, n known only at run time (the last rows of a map).
template <int K, int NV>
PODA_AVX512 void rows_upto(std::size_t n, const float* w, std::size_t c_in, float bias,
                           const float* x, std::size_t wp, std::size_t plane, __mmask16 m,
                           float* y) {
  if constexpr (NV > 1)
    if (n < std::size_t(NV)) return rows_upto<K, NV - 1>(n, w, c_in, bias, x, wp, plane, m, y);
  rows_block<K, NV>(w, c_in, bias, x, wp, plane, m, y);
}

// At most eight rows per block (8 accumulators and, at K = 5, 12 input vectors stay in
// registers), the map split into blocks of equal height: 28 rows as 4 x 7, not 8+8+8+4,
// whose last block would load 8 input rows for 4 output rows.
template <int K>
PODA_AVX512 void filter(const float* w, std::size_t c_in, float bias, const float* xp,
                        std::size_t oh, std::size_t ow, float* y) {
  constexpr std::size_t max_rows = 8;
  const std::size_t blocks = (oh + max_rows - 1) / max_rows, rows = (oh + blocks - 1) / blocks;
  const std::size_t wp = ow + K - 1, plane = (oh + K - 1) * wp;
  for (std::size_t i = 0; i < oh; i += rows)
    for (std::size_t j = 0; j < ow; j += 16) {
      const std::size_t n = std::min<std::size_t>(16, ow - j);
      rows_upto<K, max_rows>(std::min(rows, oh - i), w, c_in, bias, xp + i * wp + j, wp, plane,
                             lanes(n), y + i * wp + j);
    }
}

}  // namespace

// Two vectors of outputs; four inputs per step into four accumulator pairs, so eight FMA
// chains hide the latency that one pair would wait on.
PODA_AVX512 static void matvec_narrow_avx512(const float* wt, std::size_t rows, std::size_t cols,
                                      const float* bias, const float* x, float* y, bool relu) {
  const __mmask16 m0 = lanes(rows), m1 = rows > 16 ? lanes(rows - 16) : 0;
  __m512 a0[4], a1[4];
  for (int u = 0; u < 4; ++u) a0[u] = a1[u] = _mm512_setzero_ps();
  std::size_t c = 0;
  for (; c + 4 <= cols; c += 4) PODA_UNROLL for (int u = 0; u < 4; ++u) {
      const __m512 xv = _mm512_set1_ps(x[c + u]);
      const float* w = wt + (c + u) * rows;  // (rows)
      a0[u] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m0, w), a0[u]);
      a1[u] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m1, w + 16), a1[u]);
    }
  for (; c < cols; ++c) {
    const __m512 xv = _mm512_set1_ps(x[c]);
    a0[0] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m0, wt + c * rows), a0[0]);
    a1[0] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m1, wt + c * rows + 16), a1[0]);
  }
  __m512 s0 = _mm512_add_ps(_mm512_add_ps(a0[0], a0[1]), _mm512_add_ps(a0[2], a0[3]));
  __m512 s1 = _mm512_add_ps(_mm512_add_ps(a1[0], a1[1]), _mm512_add_ps(a1[2], a1[3]));
  s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(m0, bias));
  s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(m1, bias + 16));
  if (relu) {
    s0 = _mm512_maskz_max_ps(0xFFFF, s0, _mm512_setzero_ps());
    s1 = _mm512_maskz_max_ps(0xFFFF, s1, _mm512_setzero_ps());
  }
  _mm512_mask_storeu_ps(y, m0, s0);
  _mm512_mask_storeu_ps(y + 16, m1, s1);
}

PODA_AVX512 static void conv_few_filters_avx512(const float* w, std::size_t filters, std::size_t c_in,
                                         std::size_t k, const float* bias, const float* xp,
                                         std::size_t oh, std::size_t ow, float* y,
                                         std::size_t y_plane) {
  if (!conv_few_filters_supports(k))
    return small_layer_avx2.conv_few_filters(w, filters, c_in, k, bias, xp, oh, ow, y,
                                             y_plane);
  for (std::size_t f = 0; f < filters; ++f) {
    const float* wf = w + f * c_in * k * k;
    if (k == 3)
      filter<3>(wf, c_in, bias[f], xp, oh, ow, y + f * y_plane);
    else
      filter<5>(wf, c_in, bias[f], xp, oh, ow, y + f * y_plane);
  }
}

const SmallLayerKernels small_layer_avx512{conv_few_filters_avx512, matvec_narrow_avx512};

}  // namespace poda::kernels

#endif
