#pragma once
// Kernels for the small layers structured pruning leaves, where kernels/direct_kernels.h's
// blocking runs out of work to share. Built for each kernel target (kernels/isa.h).
//
// A stride-1 convolution for layers with one or two filters (LeNet-5's first layer with 75%
// of its filters removed keeps one). dense_rows_shifted
// shares each loaded input vector across four filters; with one filter it loads an input
// vector for every multiply-add. This kernel shares the loads across output rows instead:
// the input row i + kh feeds output row i through tap row kh, so a block of NV output rows
// loads NV + k - 1 input rows per (channel, kw) for NV * k multiply-adds.
//
// A batch-1 Dense layer with at most 32 outputs: dense_matvec ends every output row with a
// sum across vector lanes, which costs more than its few multiply-adds here. This kernel
// keeps the outputs in the lanes and reads the weights transposed, one input at a time.
#include <cstddef>

#include "kernels/isa.h"

namespace poda {

// The kernel sizes the vector builds unroll; other sizes take dense_rows_shifted.
bool conv_few_filters_supports(std::size_t kernel);

// For every filter f < filters, output row i < oh, column j < ow (columns ow..wp of y's rows
// are left as they are):
//   y[f, i, j] = bias[f] + Σ_{c, kh, kw} w[f, c, kh, kw] * xp[c, i + kh, j + kw]
// w (filters, c_in, k, k); xp the zero-padded input (c_in, hp, wp), hp = oh + k - 1,
// wp = ow + k - 1; y (filters, oh, wp) with planes y_plane apart.
void conv_few_filters(const float* w, std::size_t filters, std::size_t c_in, std::size_t k,
                      const float* bias, const float* xp, std::size_t oh, std::size_t ow, float* y,
                      std::size_t y_plane);

// The most outputs matvec_narrow takes.
constexpr std::size_t narrow_matvec_max_rows = 32;

// y (rows) = act(bias (rows) + Σ_c x[c] * wt[c, 0:rows)), rows <= narrow_matvec_max_rows,
// wt (cols, rows) the transposed weights; act = ReLU when relu, else none.
void matvec_narrow(const float* wt, std::size_t rows, std::size_t cols, const float* bias,
                   const float* x, float* y, bool relu);

// The builds of these kernels, one per target (kernels/isa.h); the functions above run the
// active target's.
struct SmallLayerKernels {
  decltype(&poda::conv_few_filters) conv_few_filters;
  decltype(&poda::matvec_narrow) matvec_narrow;
};
const IsaTable<SmallLayerKernels>& small_layer_kernels();

namespace kernels {
extern const SmallLayerKernels small_layer_scalar, small_layer_avx2, small_layer_avx512;
}  // namespace kernels

}  // namespace poda
