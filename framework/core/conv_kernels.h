#pragma once
// The convolution kernels behind conv2d (ops_conv.cpp): the im2col-free kernels of
// conv_direct.h for stride-1 convs, im2col + the one GEMM wrapper for the rest, the batch
// split between the compute threads (parallel.h). Each thread keeps its own workspace,
// grown to the largest layer it has seen, so a training step allocates nothing here.
#include <cstddef>
#include <cstdint>

#include "kernels/conv_geometry.h"

namespace poda {

// y (B, C_out, OH, OW) = conv(x (B, C_in, H, W), w (C_out, C_in/groups, kH, kW)) + bias
// (C_out, or null); with accumulate, added to y instead of overwriting it. With a relu_mask
// (B*C_out*OH*OW bytes; never with accumulate), y = ReLU(conv + bias), applied to each chunk
// of samples while it is still in cache, and relu_mask = (conv + bias > 0).
void conv_forward(float* y, bool accumulate, const float* x, const float* w, const float* bias,
                  const ConvDims& d, std::uint8_t* relu_mask = nullptr);

// y[0:n) = max(y, 0) and mask[0:n) = (y > 0): the ReLU of conv_forward's relu_mask.
void relu_with_mask(float* y, std::uint8_t* mask, std::size_t n);

// dbias (C_out) = (beta ? dbias : 0) + the sum of dy (B, C_out, OH, OW) over b, oh, ow.
void conv_backward_bias(float* dbias, float beta, const float* dy, const ConvDims& d);

// dw (C_out, C_in/groups, kH, kW) = (beta ? dw : 0) + sum over samples of dy_b @ cols_b^T.
void conv_backward_weight(float* dw, float beta, const float* dy, const float* x,
                          const ConvDims& d);

// dx (B, C_in, H, W) = (beta ? dx : 0) + the adjoint of conv_forward applied to dy.
void conv_backward_data(float* dx, float beta, const float* dy, const float* w, const ConvDims& d);

// Samples per GEMM: how conv2d batches its GEMMs (see set_conv_batching in ops.h).
std::size_t conv_chunk_samples(const ConvDims& d);

}  // namespace poda
