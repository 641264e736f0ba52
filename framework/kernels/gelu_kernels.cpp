#include "kernels/gelu_kernels.h"

#include <cstdint>
#include <cstring>

#include "kernels/clones.h"

namespace poda::kernels {

namespace {

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

// erf on [-4, 4] as x p(x^2) / q(x^2); +-1 beyond (float erf(4) rounds to 1).
inline float erf_fit(float a) {
  const float x = a > 4.0f ? 4.0f : (a < -4.0f ? -4.0f : a);
  const float x2 = x * x;
  float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
  p = x2 * p + -2.10102402082508e-06f;
  p = x2 * p + -5.69250639462346e-05f;
  p = x2 * p + -7.34990630326855e-04f;
  p = x2 * p + -2.95459980854025e-03f;
  p = x2 * p + -1.60960333262415e-02f;
  float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
  q = x2 * q + -1.68282697438203e-03f;
  q = x2 * q + -7.37332916720468e-03f;
  q = x2 * q + -1.42647390514189e-02f;
  return x * p / q;
}

// exp(z) for z <= 0 (Cephes expf): z = n ln2 + r, |r| <= ln2 / 2, exp(r) by a polynomial,
// 2^n put into the exponent bits; z below -87 gives exp(-87) (about 1.6e-38), not 0.
inline float exp_nonpositive(float z) {
  z = z < -87.0f ? -87.0f : z;
  const float rounder = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (z * 1.44269504088896341f + rounder) - rounder;
  const float r = (z - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

}  // namespace

PODA_CLONES void erf_values(const float* __restrict x, float* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = erf_fit(x[i]);
}

PODA_CLONES void gelu_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + erf_fit(x[i] * kInvSqrt2));
}

// d/dx gelu = Phi(x) + x phi(x).
inline float gelu_slope(float v) {
  return 0.5f * (1.0f + erf_fit(v * kInvSqrt2)) + v * kInvSqrt2Pi * exp_nonpositive(-0.5f * v * v);
}

PODA_CLONES void gelu_backward(const float* __restrict x, const float* __restrict dy,
                               float* __restrict dx, std::size_t n, bool accumulate) {
  if (accumulate)
    for (std::size_t i = 0; i < n; ++i) dx[i] += gelu_slope(x[i]) * dy[i];
  else  // dx may be a fresh buffer: written, never read
    for (std::size_t i = 0; i < n; ++i) dx[i] = gelu_slope(x[i]) * dy[i];
}

}  // namespace poda::kernels
