#include "kernels/conv_int8.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/int8_kernels.h"

namespace poda {

std::size_t Int8ConvShape::out_h() const {
  return conv_out_size(height, kernel_h, options.stride, options.padding, options.dilation);
}
std::size_t Int8ConvShape::out_w() const {
  return conv_out_size(width, kernel_w, options.stride, options.padding, options.dilation);
}

void im2col_u8(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
               std::uint8_t* cols) {
  const std::size_t oh = s.out_h(), ow = s.out_w();
  const std::size_t patch = s.channels * s.kernel_h * s.kernel_w;
  const long pad = static_cast<long>(s.options.padding);
  const long stride = static_cast<long>(s.options.stride);
  const long dil = static_cast<long>(s.options.dilation);
  for (std::size_t p = 0; p < oh * ow; ++p) {
    const long y0 = static_cast<long>(p / ow) * stride - pad;
    const long x0 = static_cast<long>(p % ow) * stride - pad;
    std::uint8_t* row = cols + p * patch;  // (C_in, kH, kW)
    for (std::size_t c = 0; c < s.channels; ++c) {
      const std::uint8_t* plane = x + c * s.height * s.width;  // (H, W)
      for (std::size_t i = 0; i < s.kernel_h; ++i) {
        const long y = y0 + static_cast<long>(i) * dil;
        const bool y_in = y >= 0 && y < static_cast<long>(s.height);
        for (std::size_t j = 0; j < s.kernel_w; ++j) {
          const long xx = x0 + static_cast<long>(j) * dil;
          const bool in = y_in && xx >= 0 && xx < static_cast<long>(s.width);
          *row++ = in ? plane[y * static_cast<long>(s.width) + xx] : pad_level;
        }
      }
    }
  }
}

void conv2d_u8s8(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
                 const PackedInt8Weights& weight, std::int32_t* out) {
  const std::size_t patch = s.channels * s.kernel_h * s.kernel_w;
  if (s.options.groups != 1)
    throw std::invalid_argument("conv2d_u8s8: groups = " + std::to_string(s.options.groups) +
                                " (only groups = 1 is supported)");
  if (weight.k != patch)
    throw std::invalid_argument("conv2d_u8s8: weight has K = " + std::to_string(weight.k) +
                                " but C_in*kH*kW = " + std::to_string(patch));
  if (s.out_h() * s.out_w() == 0) return;
  int8_kernels().active().conv(x, s, pad_level, weight, out);
}

namespace detail {

namespace {

using GemmFn = void (*)(std::size_t, const std::uint8_t*, std::size_t, const PackedInt8Weights&,
                        std::int32_t*, std::size_t);

// Per sample: im2col, then `gemm` into (pixels, C_out), then transposed into the output.
void conv2d_im2col(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
                   const PackedInt8Weights& weight, std::int32_t* out, GemmFn gemm) {
  const std::size_t patch = s.channels * s.kernel_h * s.kernel_w;
  const std::size_t pixels = s.out_h() * s.out_w(), c_out = weight.n;
  std::vector<std::uint8_t> cols(pixels * patch);  // (H_out*W_out, C_in*kH*kW)
  std::vector<std::int32_t> sums(pixels * c_out);  // (H_out*W_out, C_out)
  for (std::size_t b = 0; b < s.batch; ++b) {
    im2col_u8(x + b * s.channels * s.height * s.width, s, pad_level, cols.data());
    gemm(pixels, cols.data(), patch, weight, sums.data(), c_out);
    std::int32_t* o = out + b * c_out * pixels;  // (C_out, H_out*W_out)
    for (std::size_t p = 0; p < pixels; ++p)
      for (std::size_t c = 0; c < c_out; ++c) o[c * pixels + p] = sums[p * c_out + c];
  }
}

}  // namespace

std::vector<Tap> window_taps(const Int8ConvShape& s) {
  std::vector<Tap> taps;
  const long dil = static_cast<long>(s.options.dilation);
  const long H = static_cast<long>(s.height), W = static_cast<long>(s.width);
  for (std::size_t c = 0; c < s.channels; ++c)
    for (std::size_t i = 0; i < s.kernel_h; ++i)
      for (std::size_t j = 0; j < s.kernel_w; ++j) {
        const long ch = static_cast<long>(c), dy = static_cast<long>(i) * dil,
                   dx = static_cast<long>(j) * dil;
        taps.push_back({ch, dy, dx, (ch * H + dy) * W + dx});
      }
  return taps;
}

void conv2d_u8s8_scalar(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
                        const PackedInt8Weights& weight, std::int32_t* out) {
  conv2d_im2col(x, s, pad_level, weight, out, gemm_u8s8_scalar);
}

}  // namespace detail

}  // namespace poda
