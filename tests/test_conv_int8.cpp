#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "kernels/conv_int8.h"
#include "kernels/int8_kernels.h"
#include "int8_reference.h"

using namespace poda;
using namespace poda::testing;

namespace {

// Direct convolution in int64: out (B, C_out, H_out, W_out), out-of-image taps read `pad`.
std::vector<std::int64_t> reference_conv(const std::vector<std::uint8_t>& x, const Int8ConvShape& s,
                                         std::uint8_t pad, const std::vector<std::int8_t>& w,
                                         std::size_t c_out) {
  const std::size_t oh = s.out_h(), ow = s.out_w();
  const long P = static_cast<long>(s.options.padding), S = static_cast<long>(s.options.stride),
             D = static_cast<long>(s.options.dilation);
  std::vector<std::int64_t> out(s.batch * c_out * oh * ow, 0);
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t o = 0; o < c_out; ++o)
      for (std::size_t y = 0; y < oh; ++y)
        for (std::size_t xo = 0; xo < ow; ++xo) {
          std::int64_t sum = 0;
          for (std::size_t c = 0; c < s.channels; ++c)
            for (std::size_t i = 0; i < s.kernel_h; ++i)
              for (std::size_t j = 0; j < s.kernel_w; ++j) {
                const long iy = static_cast<long>(y) * S - P + static_cast<long>(i) * D;
                const long ix = static_cast<long>(xo) * S - P + static_cast<long>(j) * D;
                const bool in = iy >= 0 && ix >= 0 && iy < static_cast<long>(s.height) &&
                                ix < static_cast<long>(s.width);
                const std::int64_t a =
                    in ? x[((b * s.channels + c) * s.height + iy) * s.width + ix] : pad;
                sum += a * w[((o * s.channels + c) * s.kernel_h + i) * s.kernel_w + j];
              }
          out[((b * c_out + o) * oh + y) * ow + xo] = sum;
        }
  return out;
}

}  // namespace

TEST_CASE("conv2d_u8s8: equals a direct integer convolution exactly") {
  std::mt19937 rng(5);
  struct Case {
    std::size_t B, C, H, W, c_out, k;
    Conv2dOptions options;
  };
  // LeNet-5's two convolutions, then padding, stride and dilation with odd sizes; stride 1
  // with padding where runs of 8 output pixels cross rows and borders; a 1x1 kernel; a
  // dilated window wholly inside the image (the one-load-per-tap blocks).
  const std::vector<Case> cases = {{2, 1, 28, 28, 20, 5, {}},
                                   {2, 20, 12, 12, 50, 5, {}},
                                   {3, 3, 9, 7, 5, 3, {2, 1, 1, 1}},
                                   {1, 2, 10, 11, 17, 3, {1, 2, 2, 1}},
                                   {2, 3, 13, 21, 9, 3, {1, 1, 1, 1}},
                                   {1, 4, 6, 30, 3, 1, {}},
                                   {1, 2, 12, 20, 5, 3, {1, 0, 2, 1}},
                                   // the VNNI panel: rows 8 or 24 wide with padding, so some
                                   // 16-pixel blocks load two 8-byte halves and the border
                                   // ones gather; 13 and 33 filters (partial row tiles and
                                   // blocks); a partial last block; K not a multiple of 4
                                   {2, 3, 10, 10, 13, 3, {1, 1, 1, 1}},
                                   {1, 5, 26, 26, 33, 3, {}},
                                   {2, 2, 12, 28, 7, 5, {1, 2, 1, 1}},
                                   {1, 3, 16, 16, 18, 3, {2, 1, 1, 1}},
                                   {1, 1, 20, 20, 17, 2, {1, 0, 2, 1}}};
  for (const Int8Kernels* build : runnable_int8_kernels()) {
    for (const Case& c : cases) {
      CAPTURE(build->name);
      CAPTURE(c.C);
      CAPTURE(c.c_out);
      Int8ConvShape s{c.B, c.C, c.H, c.W, c.k, c.k, c.options};
      const auto x = random_u8(c.B * c.C * c.H * c.W, rng);
      const auto w = random_s8(c.c_out * c.C * c.k * c.k, rng, 0.5);
      const std::uint8_t pad = 37;  // a zero point other than 0 shows padding reads it
      const auto packed = pack_int8_weights(w.data(), c.c_out, c.C * c.k * c.k);
      std::vector<std::int32_t> out(c.B * c.c_out * s.out_h() * s.out_w());
      build->conv(x.data(), s, pad, packed, out.data());
      const auto want = reference_conv(x, s, pad, w, c.c_out);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < out.size(); ++i) bad += out[i] != want[i];
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("conv2d_u8s8: extreme values sum exactly on every path") {
  // 255 x +-127 at every tap, padding at 255 too: the widest sums of one sign.
  const Int8ConvShape s{2, 7, 9, 12, 3, 3, {1, 1, 1, 1}};
  const std::size_t c_out = 11, K = 7 * 3 * 3;
  const std::vector<std::uint8_t> x(2 * 7 * 9 * 12, 255);
  for (int level : {127, -127}) {
    const std::vector<std::int8_t> w(c_out * K, static_cast<std::int8_t>(level));
    const auto packed = pack_int8_weights(w.data(), c_out, K);
    for (const Int8Kernels* build : runnable_int8_kernels()) {
      CAPTURE(build->name);
      CAPTURE(level);
      std::vector<std::int32_t> out(2 * c_out * s.out_h() * s.out_w());
      build->conv(x.data(), s, 255, packed, out.data());
      for (std::int32_t v : out) CHECK(v == 255 * level * static_cast<std::int32_t>(K));
    }
  }
}

TEST_CASE("conv2d_u8s8: the public entry runs the active target's build") {
  std::mt19937 rng(6);
  const Int8ConvShape s{2, 20, 12, 12, 5, 5, {}};
  const auto x = random_u8(2 * 20 * 12 * 12, rng);
  const auto w = random_s8(50 * 500, rng);
  const auto packed = pack_int8_weights(w.data(), 50, 500);
  const auto want = reference_conv(x, s, 3, w, 50);
  for (KernelIsa isa : kernel_isas()) {
    CAPTURE(kernel_isa_name(isa));
    IsaScope scope(isa);
    std::vector<std::int32_t> out(2 * 50 * 64);
    conv2d_u8s8(x.data(), s, 3, packed, out.data());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < out.size(); ++i) bad += out[i] != want[i];
    CHECK(bad == 0);
  }
}

TEST_CASE("conv2d_u8s8: refuses groups and a weight of the wrong size") {
  std::vector<std::int8_t> w(4 * 9, 1);
  const auto packed = pack_int8_weights(w.data(), 4, 9);
  std::vector<std::uint8_t> x(2 * 5 * 5, 1);
  std::vector<std::int32_t> out(4 * 9 * 2);
  Int8ConvShape grouped{1, 2, 5, 5, 3, 3, {1, 0, 1, 2}};
  CHECK_THROWS_AS(conv2d_u8s8(x.data(), grouped, 0, packed, out.data()), std::invalid_argument);
  Int8ConvShape two_channels{1, 2, 5, 5, 3, 3, {}};  // K = 18, weight has 9
  CHECK_THROWS_AS(conv2d_u8s8(x.data(), two_channels, 0, packed, out.data()),
                  std::invalid_argument);
}
