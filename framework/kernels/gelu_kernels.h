#pragma once
// GELU in its exact (erf) form, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), and its derivative
// Phi(x) + x phi(x), as branch-free loops the compiler vectorises (PODA_CLONES: AVX2 and the
// baseline): erf is a rational fit on [-4, 4] (the odd/even minimax polynomials Eigen and XLA
// use for float erf; outside, erf is +-1 in float), exp a Cody-Waite reduction and a degree-6
// polynomial. erf is within 4e-7 of the exact value (6 float ulps near +-1), GELU within
// 1.2e-6 (the negative tail, x/2 times erf's error near -1), its derivative within 5e-7
// (tests/test_gelu_kernels.cpp); std::erf, used before, is a scalar libm call.
#include <cstddef>

namespace poda::kernels {

// erf(x) for n values.
void erf_values(const float* x, float* y, std::size_t n);
// y = gelu(x) for n values.
void gelu_forward(const float* x, float* y, std::size_t n);
// dx = gelu'(x) * dy, or dx += gelu'(x) * dy when `accumulate`.
void gelu_backward(const float* x, const float* dy, float* dx, std::size_t n, bool accumulate);

}  // namespace poda::kernels
