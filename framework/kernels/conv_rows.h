#pragma once
// Stride-1 convolution kernels that read the zero-padded input planes of core/conv_direct.cpp
// but touch only the real output positions: the outputs are a grid of rows (samples x output
// rows, `width` positions each), read from the padded planes at one stride and written to (or
// the weight gradient's dy read from) the plain (B, C, OH, OW) tensor at another. Against the
// wide-row kernels (kernels/direct_kernels.h, kernels/shifted_dots.h) there is no junk column
// to compute (Wp - OW of every Wp: 25% on an 8x8 map), no copy of the output out of a wide
// buffer and no zero-padded copy of dy for the weight gradient.
#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"

namespace poda {

// Output vector positions: for s < samples, h < height, j < width, position (s, h, j) is
// in_start = s * in_sample + h * in_row + j in the input planes and
// out_start = s * out_sample + h * out_row + j in the output (or dy) rows.
struct RowGrid {
  std::size_t samples, height, width;
  std::size_t in_sample, in_row;
  std::size_t out_sample, out_row;
};

// For every row r < rows and grid position p:
//   y[r * ldy + out(p)] = (accumulate ? y[...] : 0) + bias[r]
//                         + Σ_k w[r * K + k] * x[offset[k] + in(p)]
// w (rows, K) row-major, bias (rows). Reads x only at offset[k] + in(p).
void conv_rows_forward(const float* w, std::size_t rows, std::size_t K, const std::int32_t* offset,
                       const float* bias, const float* x, const RowGrid& grid, float* y,
                       std::size_t ldy, bool accumulate);

// For every row o < rows and column k < K:
//   dw[o * K + k] = (accumulate ? dw[o * K + k] : 0) + Σ_p dy[o * ldd + out(p)] * x[offset[k] + in(p)]
// Reads x only at offset[k] + in(p), dy only at o * ldd + out(p).
void conv_rows_weight_grad(const float* dy, std::size_t rows, std::size_t ldd, const float* x,
                           const std::int32_t* offset, std::size_t K, const RowGrid& grid,
                           float* dw, bool accumulate);

// The builds, one per target (kernels/conv_rows.inl, built by kernels/target_*.cpp); the
// functions above run the active target's.
struct ConvRowsKernels {
  decltype(&poda::conv_rows_forward) forward;
  decltype(&poda::conv_rows_weight_grad) weight_grad;
};
const IsaTable<ConvRowsKernels>& conv_rows_kernels();

namespace kernels {
extern const ConvRowsKernels conv_rows_scalar, conv_rows_avx2, conv_rows_avx512;
}  // namespace kernels

}  // namespace poda
