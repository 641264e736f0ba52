#pragma once
// The geometry of one 2-D convolution, shared by the int8 kernels (conv_int8.*), the im2col
// and convolution kernels of core/ and the conv2d op (core/ops_conv.cpp).
#include <algorithm>
#include <cstddef>

namespace poda {

struct Conv2dOptions {
  std::size_t stride = 1, padding = 0, dilation = 1, groups = 1;  // same along H and W
};

// Output length along one axis, or 0 when the dilated kernel does not fit the padded input.
inline std::size_t conv_out_size(std::size_t in, std::size_t kernel, std::size_t stride,
                                 std::size_t padding, std::size_t dilation) {
  const std::size_t span = dilation * (kernel - 1) + 1;
  if (kernel == 0 || stride == 0 || span > in + 2 * padding) return 0;
  return (in + 2 * padding - span) / stride + 1;
}

// x (B, C_in, H, W), w (C_out, C_in/groups, kH, kW), y (B, C_out, OH, OW).
struct ConvDims {
  std::size_t B, C_in, H, W, C_out, kH, kW, OH, OW;
  std::size_t stride, pad, dil, groups;
  std::size_t cin_g() const { return C_in / groups; }
  std::size_t cout_g() const { return C_out / groups; }
  std::size_t K() const { return cin_g() * kH * kW; }  // one output's inputs (a GEMM's K)
  std::size_t HW() const { return H * W; }
  std::size_t OHW() const { return OH * OW; }
  bool pointwise() const { return kH == 1 && kW == 1 && stride == 1 && pad == 0; }
};

// Outputs [lo, hi) along one axis whose input index out*stride + tap - pad is in [0, in).
inline void valid_range(std::size_t in, std::size_t out, std::size_t stride, std::size_t tap,
                        std::size_t pad, std::size_t& lo, std::size_t& hi) {
  const long off = static_cast<long>(tap) - static_cast<long>(pad);
  const long s = static_cast<long>(stride);
  long l = off >= 0 ? 0 : (-off + s - 1) / s;
  long h = static_cast<long>(in) - off <= 0 ? 0 : (static_cast<long>(in) - off + s - 1) / s;
  h = std::min(h, static_cast<long>(out));
  l = std::min(l, h);
  lo = static_cast<std::size_t>(l);
  hi = static_cast<std::size_t>(h);
}

}  // namespace poda
