#pragma once
// Unrolling convolution patches into a GEMM operand, and its adjoint.
#include <cstddef>

#include "kernels/conv_geometry.h"

namespace poda {

// cols (K, bc*OHW), K = (C_in/groups)*kH*kW: row (c, i, j), column (b, oh, ow) holds
// x[b0+b, g*cin_g + c, oh*s + i*d - p, ow*s + j*d - p], or 0 in the padding.
// x (B, C_in, H, W).
void im2col(const float* x, const ConvDims& d, std::size_t b0, std::size_t bc, std::size_t g,
            float* cols);

// The adjoint of im2col: adds every entry of cols (K, bc*OHW) back into dx (B, C_in, H, W)
// at the pixel it came from.
void col2im(const float* cols, const ConvDims& d, std::size_t b0, std::size_t bc, std::size_t g,
            float* dx);

}  // namespace poda
