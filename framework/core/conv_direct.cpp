// Stride-1 convolutions on the wide-row layout (see conv_direct.h).
//
// A chunk of bc samples is spread into padded planes (C, bc, Hp, Wp). Output position
// q = b*Hp*Wp + oh*Wp + ow of the chunk reads input q + kh*Wp + kw for tap (kh, kw), so the
// chunk's outputs are one run of L = (bc-1)*Hp*Wp + OH*Wp positions per channel, of which
// the columns ow >= OW and the rows oh >= OH between samples are junk: dropped from the
// forward's output, zeroed in the weight gradient's dy. Output rows of whole vectors run the
// row-grid kernels of kernels/conv_rows.h on the same padded input planes instead, which
// compute only the real positions and read and write y and dy in place.
#include "core/conv_direct.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/conv_kernels.h"
#include "core/conv_workspace.h"
#include "core/ops.h"
#include "core/profile.h"
#include "kernels/conv_rows.h"
#include "kernels/direct_kernels.h"
#include "kernels/isa.h"
#include "kernels/shifted_dots.h"

namespace poda {

namespace {

ConvAlgorithm g_algorithm = ConvAlgorithm::automatic;

// Floats past the last padded plane that the last taps read (the kernel's masked vectors
// never read past L): kW - 1, so conv_direct_applies keeps kW <= 16.
constexpr std::size_t slack = 16;

// The wide-row geometry of one layer.
struct Wide {
  std::size_t Hp, Wp, plane;
  explicit Wide(const ConvDims& d) : Hp(d.H + 2 * d.pad), Wp(d.W + 2 * d.pad), plane(Hp * Wp) {}
  // Output positions of a chunk of bc samples.
  std::size_t length(const ConvDims& d, std::size_t bc) const {
    return (bc - 1) * plane + d.OH * Wp;
  }
};

// Samples per chunk: the padded input (or dy) of a chunk stays near 64 KB, so ResNet-20
// and Conv-4 run one sample at a time. Measured on ResNet-20 (bench_conv_train): chunks of
// 256 KB ran about 8% slower, of 1 MB 25% slower (the chunk then leaves L2).
std::size_t chunk_samples(const ConvDims& d, const Wide& g) {
  const std::size_t per_sample = std::max(d.C_in, d.C_out) * g.plane;
  return std::max<std::size_t>(1, (std::size_t(1) << 14) / per_sample);
}

// Samples per chunk of the row-grid weight gradient, which copies only x: its padded chunk
// stays near 128 KB (in L2). Every dot product sums the whole chunk before its horizontal
// sum and its store, so longer chunks pay those less often (an 8x8 map is 8 vectors a
// sample). Measured on ResNet-20's layers (bench_conv_layers, AVX2, loaded machine, best of
// 4x40 calls): 64 KB chunks 5.97 / 5.15 / 5.14 ms for the 64x8x8 / 32x16x16 / 16x32x32
// weight gradients, 128 KB 4.84 / 4.55 / 5.04, 256 KB 4.74 / 4.91 / 5.39.
std::size_t grad_chunk_samples(const ConvDims& d, const Wide& g) {
  const std::size_t per_sample = d.C_in * g.plane;
  return std::max<std::size_t>(1, (std::size_t(1) << 15) / per_sample);
}

// dst[0:n) = src[0:n): eight floats at a time inline (a memcpy call per row cost more than the
// copy for ResNet-20's 8- to 32-float rows; GCC turns a plain loop back into that call).
inline void copy_row(float* dst, const float* src, std::size_t n) {
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) __builtin_memcpy(dst + j, src + j, 8 * sizeof(float));
  for (; j < n; ++j) dst[j] = src[j];
}

// dst (C, bc, Hp, Wp) = samples [b0, b0+bc) of src (B, C, h, w), each plane placed at row and
// column `pad` of a zeroed Hp x Wp plane; then `slack` zeros. With a layout record, the zeros
// are written only when the layout differs from the one it holds (the buffer moved, or another
// geometry wrote it): a layer's 64 one-sample chunks then copy only their rows.
void spread(const float* src, std::size_t C, std::size_t h, std::size_t w, std::size_t b0,
            std::size_t bc, std::size_t pad, const Wide& g, float* dst, PaddedLayout* layout) {
  ProfileScope scope(ProfileOp::conv_layout);
  const std::size_t size = C * bc * g.plane + slack;
  const PaddedLayout now{dst, C * bc, h, w, pad, g.Wp, size};
  if (!layout || !(*layout == now)) {
    std::fill(dst, dst + size, 0.0f);
    if (layout) *layout = now;
  }
  for (std::size_t c = 0; c < C; ++c)
    for (std::size_t b = 0; b < bc; ++b) {
      const float* s = src + ((b0 + b) * C + c) * h * w;         // (h, w)
      float* p = dst + (c * bc + b) * g.plane + pad * g.Wp + pad;  // (Hp, Wp) from (pad, pad)
      for (std::size_t i = 0; i < h; ++i) copy_row(p + i * g.Wp, s + i * w, w);
    }
}

// y (B, C_out, OH, OW) at samples [b0, b0+bc) = (or +=) wide (C_out, bc, Hp, Wp) without junk.
void narrow(const float* wide, const ConvDims& d, const Wide& g, std::size_t b0, std::size_t bc,
            bool accumulate, float* y) {
  ProfileScope scope(ProfileOp::conv_layout);
  for (std::size_t o = 0; o < d.C_out; ++o)
    for (std::size_t b = 0; b < bc; ++b) {
      const float* p = wide + (o * bc + b) * g.plane;  // (Hp, Wp)
      float* dst = y + ((b0 + b) * d.C_out + o) * d.OHW();
      for (std::size_t i = 0; i < d.OH; ++i, dst += d.OW, p += g.Wp)
        if (accumulate)
          for (std::size_t j = 0; j < d.OW; ++j) dst[j] += p[j];
        else
          std::memcpy(dst, p, d.OW * sizeof(float));
    }
}

// offsets (C_in*kH*kW): where input column k = (c, kh, kw) of w starts in a chunk's planes.
const std::int32_t* tap_offsets(const ConvDims& d, const Wide& g, std::size_t bc,
                                std::vector<std::int32_t>& offsets) {
  offsets.resize(d.K());
  std::size_t k = 0;
  for (std::size_t c = 0; c < d.C_in; ++c)
    for (std::size_t kh = 0; kh < d.kH; ++kh)
      for (std::size_t kw = 0; kw < d.kW; ++kw)
        offsets[k++] = static_cast<std::int32_t>(c * bc * g.plane + kh * g.Wp + kw);
  return offsets.data();
}

// The row-grid kernels (kernels/conv_rows.h) write the outputs, and read the weight gradient's
// dy, in the plain (B, C_out, OH, OW) tensors and skip the junk columns, for output rows of
// whole vectors (OW a multiple of 8: ResNet-20's 32, 16 and 8; of 16 on the avx512 target:
// 32 and 16). Rows with a partial vector (LeNet-5's 28 and 10) keep the wide rows, which pack
// them without masked loads (LeNet-5 trained 5-14% slower on the row grid, AVX2, loaded
// machine), and so do ResNet-20's 8-wide rows on avx512 (half-empty vectors: forward 1.7x
// slower than the wide rows, where the 32- and 16-wide layers ran 10-20% faster on the grid;
// bench_conv_layers, Zen 5, loaded machine).
bool row_grid_kernels(const ConvDims& d) {
  const std::size_t vector_floats = kernel_isa() == KernelIsa::avx512 ? 16 : 8;
  return d.OW % vector_floats == 0;
}

// A chunk's real output positions: samples bc planes apart in the padded input, rows Wp apart;
// in the output, samples C_out * OH * OW apart, rows OW.
RowGrid grid_of(const ConvDims& d, const Wide& g, std::size_t bc) {
  return {bc, d.OH, d.OW, g.plane, g.Wp, d.C_out * d.OHW(), d.OW};
}

}  // namespace

void set_conv_algorithm(ConvAlgorithm algorithm) {
  g_algorithm = algorithm;
}

bool conv_direct_applies(const ConvDims& d) {
  return g_algorithm == ConvAlgorithm::automatic && d.stride == 1 && d.dil == 1 && d.groups == 1 &&
         !d.pointwise() && d.kW <= slack;
}

void conv_forward_direct(float* y, bool accumulate, const float* x, const float* w,
                         const float* bias, const ConvDims& d, std::size_t lo, std::size_t hi,
                         std::uint8_t* relu_mask) {
  const Wide g(d);
  const std::size_t chunk = chunk_samples(d, g);
  ConvWorkspace& ws = conv_workspace();
  float* padded = grow(ws.padded, d.C_in * chunk * g.plane + slack);  // (C_in, bc, Hp, Wp)
  const bool rows = row_grid_kernels(d);
  float* wide = rows ? nullptr : grow(ws.wide, d.C_out * chunk * g.plane);  // (C_out, bc, Hp, Wp)
  if (!bias) {
    ws.zeros.assign(d.C_out, 0.0f);
    bias = ws.zeros.data();
  }
  for (std::size_t b0 = lo; b0 < hi; b0 += chunk) {
    const std::size_t bc = std::min(chunk, hi - b0), span = bc * g.plane;
    spread(x, d.C_in, d.H, d.W, b0, bc, d.pad, g, padded, &ws.padded_layout);
    const std::int32_t* offsets = tap_offsets(d, g, bc, ws.offsets);
    const std::size_t first = b0 * d.C_out * d.OHW();
    if (rows) {
      ProfileScope scope(ProfileOp::conv_direct);
      conv_rows_forward(w, d.C_out, d.K(), offsets, bias, padded, grid_of(d, g, bc), y + first,
                        d.OHW(), accumulate);
    } else {
      {
        ProfileScope scope(ProfileOp::conv_direct);
        dense_rows_shifted(w, d.C_out, d.K(), offsets, nullptr, bias, padded, g.length(d, bc), wide,
                           span);
      }
      narrow(wide, d, g, b0, bc, accumulate, y);
    }
    if (relu_mask) relu_with_mask(y + first, relu_mask + first, bc * d.C_out * d.OHW());
  }
}

// dw (C_out, C_in*kH*kW) = beta * dw + Σ_q dy_wide (C_out, L) * x_shifted(k) (L), by the
// shifted dot products of kernels/shifted_dots.h over each chunk; the junk positions of dy_wide
// are zero.
void conv_weight_grad_direct(float* dw, float beta, const float* dy, const float* x,
                             const ConvDims& d, std::size_t lo, std::size_t hi) {
  const Wide g(d);
  const bool rows = row_grid_kernels(d);
  const std::size_t chunk = rows ? grad_chunk_samples(d, g) : chunk_samples(d, g);
  const std::size_t size = d.C_out * d.K();
  ConvWorkspace& ws = conv_workspace();
  float* padded = grow(ws.padded, d.C_in * chunk * g.plane + slack);  // (C_in, bc, Hp, Wp)
  float* wide = rows ? nullptr : grow(ws.wide, d.C_out * chunk * g.plane + slack);
  if (beta != 0.0f && beta != 1.0f)
    for (std::size_t i = 0; i < size; ++i) dw[i] *= beta;
  if (lo == hi && beta == 0.0f) std::fill(dw, dw + size, 0.0f);
  for (std::size_t b0 = lo; b0 < hi; b0 += chunk) {
    const std::size_t bc = std::min(chunk, hi - b0), span = bc * g.plane;
    spread(x, d.C_in, d.H, d.W, b0, bc, d.pad, g, padded, &ws.padded_layout);
    const std::int32_t* offsets = tap_offsets(d, g, bc, ws.offsets);
    if (rows) {  // dy read in place: no padded copy
      ProfileScope scope(ProfileOp::conv_direct);
      conv_rows_weight_grad(dy + b0 * d.C_out * d.OHW(), d.C_out, d.OHW(), padded, offsets, d.K(),
                            grid_of(d, g, bc), dw, beta != 0.0f || b0 != lo);
      continue;
    }
    spread(dy, d.C_out, d.OH, d.OW, b0, bc, 0, g, wide, nullptr);  // (C_out, bc, Hp, Wp)
    ProfileScope scope(ProfileOp::conv_direct);
    shifted_dots(wide, d.C_out, span, padded, offsets, d.K(), g.length(d, bc), dw,
                 beta != 0.0f || b0 != lo);
  }
}

}  // namespace poda
