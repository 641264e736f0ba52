// The float <-> int8 conversions of the int8 layers: scalar loops, AVX2 loops, dispatch.
#include "kernels/int8_convert.h"

#include <limits>
#include <stdexcept>

#include "kernels/int8_kernels.h"
#include "kernels/quant_params.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace poda {

namespace {

void dequantize_span(const std::int32_t* acc, std::size_t count, const float* scale,
                     const std::int32_t* zp, const float* bias, bool per_element, bool relu,
                     float* y) {
  int8_kernels().active().dequantize(acc, count, scale, zp, bias, per_element, relu, y);
}

}  // namespace

void quantize_activations(const float* x, std::size_t n, float scale, int zero_point,
                          std::uint8_t* q) {
  int8_kernels().active().quantize(x, n, scale, zero_point, q);
}

void dequantize_rows(const std::int32_t* acc, std::size_t M, std::size_t N,
                     const Int8Epilogue& e, float* y) {
  for (std::size_t m = 0; m < M; ++m)
    dequantize_span(acc + m * N, N, e.scale, e.zero_point_term, e.bias, true, e.relu, y + m * N);
}

void dequantize_channels(const std::int32_t* acc, std::size_t N, std::size_t P,
                         const Int8Epilogue& e, float* y) {
  for (std::size_t n = 0; n < N; ++n)
    dequantize_span(acc + n * P, P, e.scale + n, e.zero_point_term + n, e.bias + n, false, e.relu,
                    y + n * P);
}

namespace detail {

// y[i] = scale * (acc[i] - zp) + bias with scale, zp, bias indexed by i when per_element,
// else one value for the whole span.
void dequantize_span_scalar(const std::int32_t* acc, std::size_t count, const float* scale,
                            const std::int32_t* zp, const float* bias, bool per_element, bool relu,
                            float* y) {
  const std::size_t step = per_element ? 1 : 0;
  for (std::size_t i = 0; i < count; ++i) {
    const float v = scale[i * step] * static_cast<float>(acc[i] - zp[i * step]) + bias[i * step];
    y[i] = relu && !(v > 0.0f) ? 0.0f : v;
  }
}

// Quantizing by a multiply instead of the division of unclamped_level, still to the same
// levels: the division is what bounds quantize_activations (about 5 cycles per 8 floats,
// measured, a tenth of a LeNet-300-100 int8 plan), a multiply is one cycle.
//
// Why the levels cannot change: with inv = fl(1 / scale), v = fl(x * inv) differs from
// q = fl(x / scale) by under 2^-22 |q| (three roundings of at most 2^-24 each). A level
// depends on how q rounds only while |q| < 2^9 (beyond 256.5 either way, every zero point in
// [0, 255] clamps it to 0 or 255 whichever way q or v rounds), where |v - q| < 2^-13. So
// round(v) = round(q) unless v lies within 2^-13 of a half-integer; a vector with a lane
// within kNearTie = 2^-12 of one (about 1 lane in 2,000 of random values) runs the exact
// scalar quantizer instead. Scales whose reciprocal is not a normal float run it throughout.
// NaN and infinities take the same min/max as clamped_level.
#if defined(__x86_64__) && defined(__GNUC__)
namespace {

constexpr float kNearTie = 1.0f / 4096.0f;

// The multiply is exact enough: scale and 1 / scale are both normal floats.
bool reciprocal_is_safe(float scale) {
  const float inv = 1.0f / scale;
  constexpr float kMin = std::numeric_limits<float>::min(), kMax = std::numeric_limits<float>::max();
  return scale >= kMin && scale <= kMax && inv >= kMin && inv <= kMax;
}

}  // namespace

// 16 at a time (two ymm), so one test and one store of 16 bytes serve both halves.
__attribute__((target("avx2"))) void quantize_activations_avx2(const float* x, std::size_t n,
                                                               float scale, int zero_point,
                                                               std::uint8_t* q) {
  if (!reciprocal_is_safe(scale)) return quantize_uint8(x, n, scale, zero_point, q);
  const __m256 inv = _mm256_set1_ps(1.0f / scale);
  const __m256 z = _mm256_set1_ps(static_cast<float>(zero_point));
  const __m256 near_tie = _mm256_set1_ps(0.5f - kNearTie);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(static_cast<float>(kActivationQmax));
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 r[2], near[2];
    for (int h = 0; h < 2; ++h) {
      const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i + 8 * h), inv);
      r[h] = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      const __m256 off = _mm256_and_ps(_mm256_sub_ps(v, r[h]), abs_mask);  // NaN: never near
      near[h] = _mm256_cmp_ps(off, near_tie, _CMP_GT_OQ);
    }
    if (_mm256_movemask_ps(_mm256_or_ps(near[0], near[1]))) {
      quantize_uint8(x + i, 16, scale, zero_point, q + i);
      continue;
    }
    __m128i words[2];
    for (int h = 0; h < 2; ++h) {
      const __m256 level = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(r[h], z), lo), hi);  // NaN -> lo
      const __m256i levels = _mm256_cvttps_epi32(level);  // (8) int32 in [0, 255]
      words[h] = _mm_packus_epi32(_mm256_castsi256_si128(levels),
                                  _mm256_extracti128_si256(levels, 1));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + i), _mm_packus_epi16(words[0], words[1]));
  }
  quantize_uint8(x + i, n - i, scale, zero_point, q + i);
}

// The same 16 at a time. The zero-masked forms (all lanes) of the intrinsics: GCC 12's
// unmasked ones pass an undefined vector through and trip -Wmaybe-uninitialized.
__attribute__((target("avx512f,avx512bw"))) void quantize_activations_avx512(
    const float* x, std::size_t n, float scale, int zero_point, std::uint8_t* q) {
  if (!reciprocal_is_safe(scale)) return quantize_uint8(x, n, scale, zero_point, q);
  const __m512 inv = _mm512_set1_ps(1.0f / scale);
  const __m512 z = _mm512_set1_ps(static_cast<float>(zero_point));
  const __m512 near_tie = _mm512_set1_ps(0.5f - kNearTie);
  constexpr __mmask16 all = 0xFFFF;
  const __m512 lo = _mm512_setzero_ps(), hi = _mm512_set1_ps(static_cast<float>(kActivationQmax));
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x + i), inv);
    const __m512 r = _mm512_maskz_roundscale_ps(all, v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 off = _mm512_castsi512_ps(_mm512_maskz_and_epi32(
        all, _mm512_castps_si512(_mm512_sub_ps(v, r)), _mm512_set1_epi32(0x7fffffff)));
    if (_mm512_cmp_ps_mask(off, near_tie, _CMP_GT_OQ)) {
      quantize_uint8(x + i, 16, scale, zero_point, q + i);
      continue;
    }
    const __m512 level =  // NaN -> lo
        _mm512_maskz_min_ps(all, _mm512_maskz_max_ps(all, _mm512_add_ps(r, z), lo), hi);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + i),
                     _mm512_maskz_cvtepi32_epi8(all, _mm512_maskz_cvttps_epi32(all, level)));
  }
  quantize_uint8(x + i, n - i, scale, zero_point, q + i);
}

// Multiply then add, never fused, so the floats equal the scalar loop's.
__attribute__((target("avx2"))) void dequantize_span_avx2(
    const std::int32_t* acc, std::size_t count, const float* scale,
    const std::int32_t* zero_point_term, const float* bias, bool per_element, bool relu,
    float* y) {
  const std::size_t step = per_element ? 1 : 0;
  // relu: max with 0; otherwise max with -inf, which keeps every finite value.
  const __m256 floor = _mm256_set1_ps(relu ? 0.0f : -__builtin_inff());
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const std::size_t at = i * step;
    const __m256 s = per_element ? _mm256_loadu_ps(scale + at) : _mm256_set1_ps(*scale);
    const __m256 b = per_element ? _mm256_loadu_ps(bias + at) : _mm256_set1_ps(*bias);
    const __m256i z = per_element
                          ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(zero_point_term + at))
                          : _mm256_set1_epi32(*zero_point_term);
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i));
    const __m256 v = _mm256_add_ps(_mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_sub_epi32(a, z))), b);
    _mm256_storeu_ps(y + i, _mm256_max_ps(v, floor));
  }
  for (; i < count; ++i) {
    const float v =
        scale[i * step] * static_cast<float>(acc[i] - zero_point_term[i * step]) + bias[i * step];
    y[i] = relu && !(v > 0.0f) ? 0.0f : v;
  }
}
#else
void quantize_activations_avx2(const float*, std::size_t, float, int, std::uint8_t*) {
  throw std::logic_error("quantize_activations_avx2: not built for this CPU architecture");
}
void quantize_activations_avx512(const float*, std::size_t, float, int, std::uint8_t*) {
  throw std::logic_error("quantize_activations_avx512: not built for this CPU architecture");
}
void dequantize_span_avx2(const std::int32_t*, std::size_t, const float*, const std::int32_t*,
                          const float*, bool, bool, float*) {
  throw std::logic_error("dequantize_span_avx2: not built for this CPU architecture");
}
#endif

}  // namespace detail

}  // namespace poda
