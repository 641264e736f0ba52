// The float <-> int8 conversions of the int8 layers: scalar loops, AVX2 loops, dispatch.
#include "kernels/int8_convert.h"

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

#if defined(__x86_64__) && defined(__GNUC__)
// unclamped_level and clamped_level of kernels/quant_params.h, 8 at a time: the same division,
// the same magic-number rounding, and each `a < b ? a : b` written as the min/max whose
// operand order returns the same value for a NaN input (level 0).
__attribute__((target("avx2"))) void quantize_activations_avx2(const float* x, std::size_t n,
                                                               float scale, int zero_point,
                                                               std::uint8_t* q) {
  const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps(static_cast<float>(zero_point));
  const __m256 limit = _mm256_set1_ps(4194304.0f), magic = _mm256_set1_ps(12582912.0f);
  const __m256 lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(static_cast<float>(kActivationQmax));
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i), s);
    v = _mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), limit), v);  // v < -L ? -L : v
    v = _mm256_min_ps(limit, v);                                       // v > L ? L : v
    v = _mm256_add_ps(_mm256_sub_ps(_mm256_add_ps(v, magic), magic), z);
    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);  // NaN -> lo, as clamped_level
    const __m256i levels = _mm256_cvttps_epi32(v);  // (8) int32 in [0, 255]
    const __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(levels),
                                           _mm256_extracti128_si256(levels, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q + i), _mm_packus_epi16(words, words));
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
void dequantize_span_avx2(const std::int32_t*, std::size_t, const float*, const std::int32_t*,
                          const float*, bool, bool, float*) {
  throw std::logic_error("dequantize_span_avx2: not built for this CPU architecture");
}
#endif

}  // namespace detail

}  // namespace poda
