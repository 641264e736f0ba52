#pragma once
// The geometry of one 2-D convolution, shared by the im2col kernels (im2col.cpp), the
// convolution kernels (conv_kernels.cpp) and the conv2d op (ops_conv.cpp).
#include <algorithm>
#include <cstddef>

namespace poda {

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
