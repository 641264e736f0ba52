// The VNNI paths of conv2d_u8s8 (AVX-512 VNNI and AVX-VNNI): each sample's patches become a
// uint8 panel in the packed-weight layout of kernels/gemm_int8.h, 16 output pixels by K quads
// ([pixels_pad / 16][quads][16][4]), and the weight rows are the broadcast operand, so the
// sums come out as (C_out, H_out*W_out), the output's own layout: no transpose after the GEMM.
// A block of 16 pixels whose two halves of 8 each read one input row (stride 1, inside the
// image: LeNet-5's 24- and 8-wide maps away from padding) takes two 8-byte loads per tap;
// any other block is gathered value by value. Each 4 taps x 16 pixels become 16 quads with
// SSE2 byte unpacks (x86-64's baseline, so this file needs no target attribute).
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/conv_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <emmintrin.h>

namespace poda::detail {

namespace {

// 4 taps of 16 pixels (16 bytes each) -> 16 int32 lanes of 4 taps: the panel's (16, 4).
inline void store_quad(__m128i r0, __m128i r1, __m128i r2, __m128i r3, std::uint8_t* dst) {
  const __m128i t01lo = _mm_unpacklo_epi8(r0, r1), t01hi = _mm_unpackhi_epi8(r0, r1);
  const __m128i t23lo = _mm_unpacklo_epi8(r2, r3), t23hi = _mm_unpackhi_epi8(r2, r3);
  auto* out = reinterpret_cast<__m128i*>(dst);
  _mm_storeu_si128(out + 0, _mm_unpacklo_epi16(t01lo, t23lo));  // pixels 0-3
  _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(t01lo, t23lo));  // 4-7
  _mm_storeu_si128(out + 2, _mm_unpacklo_epi16(t01hi, t23hi));  // 8-11
  _mm_storeu_si128(out + 3, _mm_unpackhi_epi16(t01hi, t23hi));  // 12-15
}

// Tap k's 8 bytes from a half block's corner, or zeros past K.
inline __m128i load8(const std::uint8_t* corner, const std::vector<Tap>& taps, std::size_t k) {
  if (k >= taps.size()) return _mm_setzero_si128();
  return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(corner + taps[k].offset));
}

// A block whose two halves of 8 pixels each lie in one output row with every window inside
// the image (stride 1): tap k of a half is 8 consecutive input bytes from its corner.
void interior_block(const std::uint8_t* corner0, const std::uint8_t* corner1,
                    const std::vector<Tap>& taps, std::size_t quads, std::uint8_t* block) {
  for (std::size_t q = 0; q < quads; ++q) {
    __m128i r[4];
    for (std::size_t t = 0; t < 4; ++t)
      r[t] = _mm_unpacklo_epi64(load8(corner0, taps, 4 * q + t), load8(corner1, taps, 4 * q + t));
    store_quad(r[0], r[1], r[2], r[3], block + q * 64);
  }
}

// Any other block, value by value: pad_level outside the image, 0 past the last pixel.
// y0[lane], x0[lane]: the window corner of each pixel (may be outside the image).
void gathered_block(const std::uint8_t* x, const Int8ConvShape& s, const std::vector<Tap>& taps,
                    const long (&y0)[16], const long (&x0)[16], std::size_t lanes,
                    std::uint8_t pad_level, std::size_t quads, std::uint8_t* block) {
  const long H = static_cast<long>(s.height), W = static_cast<long>(s.width);
  for (std::size_t q = 0; q < quads; ++q) {
    alignas(16) std::uint8_t v[4][16] = {};
    for (std::size_t t = 0; t < 4 && 4 * q + t < taps.size(); ++t) {
      const Tap& tap = taps[4 * q + t];
      for (std::size_t lane = 0; lane < lanes; ++lane) {
        const long y = y0[lane] + tap.dy, xx = x0[lane] + tap.dx;
        v[t][lane] = y >= 0 && y < H && xx >= 0 && xx < W ? x[(tap.channel * H + y) * W + xx]
                                                           : pad_level;
      }
    }
    const auto* rows = reinterpret_cast<const __m128i*>(v);
    store_quad(rows[0], rows[1], rows[2], rows[3], block + q * 64);
  }
}

// x (C_in, H, W) -> panel [pixels_pad / 16][quads][16][4]: block b, quad q, lane j holds the
// taps 4q .. 4q+3 of output pixel 16b + j.
void build_panel(const std::uint8_t* x, const Int8ConvShape& s, const std::vector<Tap>& taps,
                 std::uint8_t pad_level, std::size_t quads, std::uint8_t* panel) {
  const long H = static_cast<long>(s.height), W = static_cast<long>(s.width);
  const long pad = static_cast<long>(s.options.padding);
  const long stride = static_cast<long>(s.options.stride);
  const long dil = static_cast<long>(s.options.dilation);
  const long out_w = static_cast<long>(s.out_w());
  const long pixels = static_cast<long>(s.out_h() * s.out_w());
  const long window_h = static_cast<long>(s.kernel_h - 1) * dil + 1;
  const long window_w = static_cast<long>(s.kernel_w - 1) * dil + 1;
  for (long p0 = 0; p0 < pixels; p0 += 16) {
    std::uint8_t* block = panel + static_cast<std::size_t>(p0 / 16) * quads * 64;
    long y0[16] = {}, x0[16] = {};
    const long lanes = std::min(16L, pixels - p0);
    for (long lane = 0; lane < lanes; ++lane) {
      y0[lane] = (p0 + lane) / out_w * stride - pad;
      x0[lane] = (p0 + lane) % out_w * stride - pad;
    }
    // Each half of 8 in one row (stride 1) with its windows inside the image.
    auto inside = [&](long lane) {
      return x0[lane + 7] == x0[lane] + 7 && y0[lane + 7] == y0[lane] && y0[lane] >= 0 &&
             y0[lane] + window_h <= H && x0[lane] >= 0 && x0[lane] + 7 + window_w <= W;
    };
    if (lanes == 16 && stride == 1 && inside(0) && inside(8)) {
      interior_block(x + y0[0] * W + x0[0], x + y0[8] * W + x0[8], taps, quads, block);
      continue;
    }
    gathered_block(x, s, taps, y0, x0, static_cast<std::size_t>(lanes), pad_level, quads, block);
  }
}

// The weight rows (C_out, K_pad) int8, read back from the packed layout and zero-padded to
// whole quads, so the GEMM's K loop has no partial last quad.
void weight_rows(const PackedInt8Weights& W, std::vector<std::int8_t>& out) {
  const std::size_t quads = W.quads(), K_pad = quads * kInt8Quad;
  out.assign(W.n * K_pad, 0);
  for (std::size_t n = 0; n < W.n; ++n)
    for (std::size_t k = 0; k < W.k; ++k)
      out[n * K_pad + k] =
          W.data[((n / kInt8Lanes * quads + k / kInt8Quad) * kInt8Lanes + n % kInt8Lanes) *
                     kInt8Quad +
                 k % kInt8Quad];
}

using QuadGemmFn = void (*)(std::size_t, const std::int8_t*, std::size_t, std::size_t,
                            const std::uint8_t*, std::size_t, std::int32_t*, std::size_t);

void conv2d_quads(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
                  const PackedInt8Weights& weight, std::int32_t* out, QuadGemmFn gemm) {
  const std::size_t pixels = s.out_h() * s.out_w(), c_out = weight.n;
  const std::size_t quads = weight.quads(), K_pad = quads * kInt8Quad;
  const std::vector<Tap> taps = window_taps(s);
  thread_local std::vector<std::int8_t> w;       // (C_out, K_pad)
  thread_local std::vector<std::uint8_t> panel;  // (pixels_pad / 16, quads, 16, 4)
  weight_rows(weight, w);
  panel.resize(round_up(pixels, kInt8Lanes) * quads * kInt8Quad);
  const std::size_t sample = s.channels * s.height * s.width;
  for (std::size_t b = 0; b < s.batch; ++b) {
    build_panel(x + b * sample, s, taps, pad_level, quads, panel.data());
    gemm(c_out, w.data(), K_pad, K_pad, panel.data(), pixels, out + b * c_out * pixels, pixels);
  }
}

}  // namespace

void conv2d_u8s8_vnni(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
                      const PackedInt8Weights& weight, std::int32_t* out) {
  conv2d_quads(x, s, pad_level, weight, out, gemm_quads_s8u8_vnni);
}

void conv2d_u8s8_avxvnni(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
                         const PackedInt8Weights& weight, std::int32_t* out) {
  conv2d_quads(x, s, pad_level, weight, out, gemm_quads_s8u8_avxvnni);
}

}  // namespace poda::detail

#else

namespace poda::detail {
void conv2d_u8s8_vnni(const std::uint8_t*, const Int8ConvShape&, std::uint8_t,
                      const PackedInt8Weights&, std::int32_t*) {
  throw std::logic_error("conv2d_u8s8_vnni: not built for this CPU architecture");
}
void conv2d_u8s8_avxvnni(const std::uint8_t*, const Int8ConvShape&, std::uint8_t,
                         const PackedInt8Weights&, std::int32_t*) {
  throw std::logic_error("conv2d_u8s8_avxvnni: not built for this CPU architecture");
}
}  // namespace poda::detail

#endif
