#pragma once
// Int8 Conv2d through im2col and the integer GEMM (kernels/gemm_int8.h), the same exact integers
// as a direct convolution. Scalar path: each sample's patches become the rows of A, the packed
// weight (C_out, C_in*kH*kW) is W. AVX2 path (conv_int8_avx2.cpp): the patches are written
// straight into the GEMM's packed int16 panel and the weights are the rows, so the sums land
// in the output's (C_out, pixels) layout; the VNNI paths (conv_int8_quads.cpp) do the same
// with a uint8 panel of K quads. Padding reads the input's zero point, the
// level that stands for real 0. groups == 1 only (poda's zoo models quantized so far).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/gemm_int8.h"
#include "kernels/conv_geometry.h"

namespace poda {

struct Int8ConvShape {
  std::size_t batch = 0, channels = 0, height = 0, width = 0;  // input (B, C_in, H, W)
  std::size_t kernel_h = 0, kernel_w = 0;
  Conv2dOptions options;  // groups must be 1
  std::size_t out_h() const;
  std::size_t out_w() const;
};

// x (B, C_in, H, W) uint8, weight packed from (C_out, C_in, kH, kW) as (C_out, C_in*kH*kW)
// -> out (B, C_out, H_out, W_out) int32 = sum over the window of x * w, padding = pad_level.
void conv2d_u8s8(const std::uint8_t* x, const Int8ConvShape& shape, std::uint8_t pad_level,
                 const PackedInt8Weights& weight, std::int32_t* out);

// One sample's patches: x (C_in, H, W) -> cols (H_out*W_out, C_in*kH*kW), row p = the
// window of output pixel p in (c, i, j) order, out-of-image taps = pad_level.
void im2col_u8(const std::uint8_t* x, const Int8ConvShape& shape, std::uint8_t pad_level,
               std::uint8_t* cols);

namespace detail {
// The paths of conv2d_u8s8, same contract, arguments already checked: im2col and the
// scalar GEMM (conv_int8.cpp), the AVX2 int16 panel (conv_int8_avx2.cpp), the AVX-512 VNNI
// and AVX-VNNI uint8 quad panels (conv_int8_quads.cpp).
void conv2d_u8s8_scalar(const std::uint8_t* x, const Int8ConvShape& shape, std::uint8_t pad_level,
                        const PackedInt8Weights& weight, std::int32_t* out);
void conv2d_u8s8_vnni(const std::uint8_t* x, const Int8ConvShape& shape, std::uint8_t pad_level,
                      const PackedInt8Weights& weight, std::int32_t* out);
void conv2d_u8s8_avxvnni(const std::uint8_t* x, const Int8ConvShape& shape,
                         std::uint8_t pad_level, const PackedInt8Weights& weight,
                         std::int32_t* out);
void conv2d_u8s8_avx2(const std::uint8_t* x, const Int8ConvShape& shape, std::uint8_t pad_level,
                      const PackedInt8Weights& weight, std::int32_t* out);

// Tap t = (c, i, j) of the window: its input channel and offsets from the window's corner.
// The panel builders of the AVX2 and VNNI paths walk a shape's taps in this order.
struct Tap {
  long channel, dy, dx;
  long offset;  // (channel * H + dy) * W + dx: where the tap reads, from the corner pixel
};
std::vector<Tap> window_taps(const Int8ConvShape& s);
}  // namespace detail

}  // namespace poda
