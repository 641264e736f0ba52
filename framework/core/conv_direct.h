#pragma once
// im2col-free kernels for stride-1 convolutions (the 3x3 convs of ResNet-20 and Conv-4, and
// through conv_backward_data their data gradients), on the "wide row" layout: a chunk of
// samples is copied into zero-padded planes (C, Bc, Hp, Wp), so every tap (kh, kw) is the
// plain offset kh*Wp + kw and an output row of Wp columns (the last Wp - OW junk) needs no
// patch matrix. The forward runs the direct kernel of kernels/direct_kernels.h; the weight
// gradient the shifted dot products of kernels/shifted_dots.h over the chunk, dy padded the
// same way with its junk zeroed. For output rows of whole vectors, the row-grid kernels of
// kernels/conv_rows.h take both passes on the same padded input, without the junk columns,
// the output copy and dy's padded copy.
#include <cstddef>
#include <cstdint>

#include "kernels/conv_geometry.h"

namespace poda {

// True for the convolutions these kernels can take (unless im2col is forced): stride 1, no
// dilation, one group, kernels up to 16 wide, and not a 1x1 unpadded conv (already one GEMM
// per sample without im2col). Whether they do is timed (core/conv_choice.h).
bool conv_direct_applies(const ConvDims& d);

// Samples [lo, hi) of conv_forward: y (B, C_out, OH, OW) = conv(x, w) + bias (or + y), then
// the ReLU of relu_mask when there is one (conv_kernels.h).
void conv_forward_direct(float* y, bool accumulate, const float* x, const float* w,
                         const float* bias, const ConvDims& d, std::size_t lo, std::size_t hi,
                         std::uint8_t* relu_mask);

// Samples [lo, hi) of conv_backward_weight: dw (C_out, C_in, kH, kW) = beta * dw + Σ_b ...
void conv_weight_grad_direct(float* dw, float beta, const float* dy, const float* x,
                             const ConvDims& d, std::size_t lo, std::size_t hi);

}  // namespace poda
