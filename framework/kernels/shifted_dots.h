#pragma once
// Dot products of dense rows with shifted vectors: the weight gradient of a stride-1
// convolution on the wide-row layout of core/conv_direct.h, without one GEMM per tap. For
// every row o < rows and column k < K,
//   dw[o, k] = (accumulate ? dw[o, k] : 0) + Σ_{q < L} dy[o * ldd + q] * x[offset[k] + q]
// dw (rows, K) row-major; with offset[k] the start of input column k = (c, kh, kw), dw is
// already the (C_out, C_in, kH, kW) layout of the weights. Reads x only below offset[k] + L.
#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"

namespace poda {

void shifted_dots(const float* dy, std::size_t rows, std::size_t ldd, const float* x,
                  const std::int32_t* offset, std::size_t K, std::size_t L, float* dw,
                  bool accumulate);

// The builds of the kernel, one per target (kernels/shifted_dots.inl, built by
// kernels/target_*.cpp); the function above runs the active target's.
struct ShiftedDotsKernels {
  decltype(&poda::shifted_dots) shifted_dots;
};
const IsaTable<ShiftedDotsKernels>& shifted_dots_kernels();

namespace kernels {
extern const ShiftedDotsKernels shifted_dots_scalar, shifted_dots_avx2, shifted_dots_avx512;
}  // namespace kernels

}  // namespace poda
