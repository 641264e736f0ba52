// The AVX2 path of conv2d_u8s8: each sample's patches go straight into the packed int16 B
// panel of gemm_pairs_avx2 (8 output pixels by K pairs), and the weights are its A rows,
// so the sums come out as (C_out, H_out*W_out), the output's own layout: no uint8 patch
// matrix, no widening pass, no transpose. Where 8 consecutive output pixels read one input
// row (stride 1, inside the image) a tap is one 8-byte load; elsewhere (padding, stride,
// the ragged last block) it is gathered value by value.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/conv_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace poda::detail {

namespace {

#define PODA_AVX2 __attribute__((target("avx2,fma")))

constexpr std::size_t kPixels = kInt16Lanes;  // output pixels per panel block

// The sizes the panel's inner loop reads, computed once per call.
struct Geometry {
  long H, W, pad, stride, out_w, pixels;
  long window_h, window_w;  // the input rows and columns one window spans (with dilation)
  explicit Geometry(const Int8ConvShape& s)
      : H(static_cast<long>(s.height)),
        W(static_cast<long>(s.width)),
        pad(static_cast<long>(s.options.padding)),
        stride(static_cast<long>(s.options.stride)),
        out_w(static_cast<long>(s.out_w())),
        pixels(static_cast<long>(s.out_h() * s.out_w())),
        window_h(static_cast<long>((s.kernel_h - 1) * s.options.dilation + 1)),
        window_w(static_cast<long>((s.kernel_w - 1) * s.options.dilation + 1)) {}
};

// The weight rows as int16 pairs, out (C_out, pairs), read back from the packed layout.
void weight_rows(const PackedInt8Weights& W, std::vector<std::int32_t>& out) {
  const std::size_t pairs = W.pair_count();
  out.resize(W.n * pairs);
  for (std::size_t n = 0; n < W.n; ++n)
    for (std::size_t p = 0; p < pairs; ++p) {
      const std::size_t at = (((n / kInt16Lanes) * pairs + p) * kInt16Lanes + n % kInt16Lanes);
      std::memcpy(&out[n * pairs + p], &W.pairs[at * kInt16Pair], sizeof(std::int32_t));
    }
}

// The 8 values of tap t for output pixels p0 .. p0+7, one at a time: pad_level outside the
// image, 0 past the last pixel.
void gather_tap(const std::uint8_t* x, const Geometry& g, const Tap& t, long p0,
                std::uint8_t pad_level, std::uint8_t (&v)[kPixels]) {
  for (long lane = 0; lane < static_cast<long>(kPixels); ++lane) {
    const long p = p0 + lane;
    if (p >= g.pixels) {
      v[lane] = 0;
      continue;
    }
    const long y = p / g.out_w * g.stride - g.pad + t.dy;
    const long xx = p % g.out_w * g.stride - g.pad + t.dx;
    const bool in = y >= 0 && y < g.H && xx >= 0 && xx < g.W;
    v[lane] = in ? x[(t.channel * g.H + y) * g.W + xx] : pad_level;
  }
}

// Tap k (or zeros past K) for pixels p0 .. p0+7 as 8 uint8 in the low half of an xmm.
// one_row: the 8 pixels sit in one output row and the stride is 1, so where the tap is
// inside the image for all of them they read 8 consecutive input bytes from (y0, x0) on,
// the window corner of pixel p0.
PODA_AVX2 inline __m128i tap_values(const std::uint8_t* x, const Geometry& g,
                                    const std::vector<Tap>& taps, std::size_t k, long p0,
                                    bool one_row, long y0, long x0, std::uint8_t pad_level) {
  if (k >= taps.size()) return _mm_setzero_si128();
  const Tap& t = taps[k];
  const long y = y0 + t.dy, xx = x0 + t.dx;
  if (one_row && y >= 0 && y < g.H && xx >= 0 && xx + static_cast<long>(kPixels) <= g.W)
    return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x + (t.channel * g.H + y) * g.W + xx));
  std::uint8_t v[kPixels];
  gather_tap(x, g, t, p0, pad_level, v);
  return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(v));
}

// Stores taps (lo, hi) of 8 pixels, 8 uint8 each, as the panel's 8 int16 pairs.
PODA_AVX2 inline void store_pair(__m128i lo, __m128i hi, std::int16_t* dst) {
  lo = _mm_cvtepu8_epi16(lo);
  hi = _mm_cvtepu8_epi16(hi);
  auto* out = reinterpret_cast<__m128i*>(dst);
  _mm_storeu_si128(out, _mm_unpacklo_epi16(lo, hi));
  _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(lo, hi));
}

// One block of 8 pixels in one row whose whole window is inside the image for every tap
// (the common case: no padding, or away from the border): one 8-byte load per tap from
// `corner`, the input at the window corner of the block's first pixel.
PODA_AVX2 void interior_block(const std::uint8_t* corner, const std::vector<Tap>& taps,
                              std::size_t pairs, std::int16_t* dst) {
  const std::size_t K = taps.size();
  for (std::size_t p = 0; 2 * p + 1 < K; ++p)
    store_pair(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(corner + taps[2 * p].offset)),
               _mm_loadl_epi64(reinterpret_cast<const __m128i*>(corner + taps[2 * p + 1].offset)),
               dst + p * kPixels * kInt16Pair);
  if (K % 2 == 1)  // the last pair's second tap is past K: zeros
    store_pair(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(corner + taps[K - 1].offset)),
               _mm_setzero_si128(), dst + (pairs - 1) * kPixels * kInt16Pair);
}

// x (C_in, H, W) -> panel [pixels_pad / 8][pairs][8][2] int16: block b, pair p, lane j
// holds the taps 2p and 2p+1 of output pixel 8b + j.
PODA_AVX2 void build_panel(const std::uint8_t* x, const Geometry& g, const std::vector<Tap>& taps,
                           std::uint8_t pad_level, std::size_t pairs, std::int16_t* panel) {
  const long block = static_cast<long>(kPixels);
  for (long p0 = 0; p0 < g.pixels; p0 += block) {
    const long oy = p0 / g.out_w, ox = p0 % g.out_w;
    const bool one_row = g.stride == 1 && p0 + block <= g.pixels && ox + block <= g.out_w;
    const long y0 = oy - g.pad, x0 = ox - g.pad;  // used where one_row (stride 1)
    std::int16_t* dst = panel + static_cast<std::size_t>(p0 / block) * pairs * kPixels * kInt16Pair;
    if (one_row && y0 >= 0 && y0 + g.window_h <= g.H && x0 >= 0 && x0 + g.window_w + block - 1 <= g.W) {
      interior_block(x + y0 * g.W + x0, taps, pairs, dst);
      continue;
    }
    for (std::size_t p = 0; p < pairs; ++p)
      store_pair(tap_values(x, g, taps, 2 * p, p0, one_row, y0, x0, pad_level),
                 tap_values(x, g, taps, 2 * p + 1, p0, one_row, y0, x0, pad_level),
                 dst + p * kPixels * kInt16Pair);
  }
}

}  // namespace

void conv2d_u8s8_avx2(const std::uint8_t* x, const Int8ConvShape& s, std::uint8_t pad_level,
                      const PackedInt8Weights& weight, std::int32_t* out) {
  if (weight.pairs.empty() && weight.n > 0)
    throw std::logic_error("conv2d_u8s8_avx2: the weights were packed without the AVX2 layout");
  const std::size_t pixels = s.out_h() * s.out_w(), c_out = weight.n;
  const std::size_t pairs = weight.pair_count();
  const std::vector<Tap> taps = window_taps(s);
  const Geometry g(s);
  thread_local std::vector<std::int32_t> rows;  // (C_out, pairs)
  thread_local std::vector<std::int16_t> panel;  // (pixels_pad / 8, pairs, 8, 2)
  weight_rows(weight, rows);
  panel.resize(round_up(pixels, kPixels) * pairs * kInt16Pair);
  const std::size_t sample = s.channels * s.height * s.width;
  for (std::size_t b = 0; b < s.batch; ++b) {
    build_panel(x + b * sample, g, taps, pad_level, pairs, panel.data());
    gemm_pairs_avx2(c_out, rows.data(), pairs, panel.data(), pixels, out + b * c_out * pixels,
                    pixels);
  }
}

}  // namespace poda::detail

#else

namespace poda::detail {
void conv2d_u8s8_avx2(const std::uint8_t*, const Int8ConvShape&, std::uint8_t,
                      const PackedInt8Weights&, std::int32_t*) {
  throw std::logic_error("conv2d_u8s8_avx2: not built for this CPU architecture");
}
}  // namespace poda::detail

#endif
