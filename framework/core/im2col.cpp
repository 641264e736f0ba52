// im2col and col2im for any stride, padding, dilation and groups.
#include "core/im2col.h"

#include <algorithm>
#include <cstring>

#include "core/profile.h"

namespace poda {

namespace {

// One (OH, OW) plane of cols for tap (i, j) from one (H, W) input plane. Stride 1 (ResNet's
// and VGG's 3x3 convs, and every data gradient taken as a convolution) is a shifted copy of
// whole rows; __restrict lets the compiler vectorise it without aliasing checks.
void unroll_plane(const float* __restrict plane, const ConvDims& d, std::size_t i, std::size_t j,
                  float* __restrict dst) {
  const std::size_t s = d.stride;
  std::size_t oh_lo, oh_hi, ow_lo, ow_hi;
  valid_range(d.H, d.OH, s, i * d.dil, d.pad, oh_lo, oh_hi);
  valid_range(d.W, d.OW, s, j * d.dil, d.pad, ow_lo, ow_hi);
  // input column of output column ow: ow * s + col_off (col_off may be negative)
  const long col_off = static_cast<long>(j * d.dil) - static_cast<long>(d.pad);
  std::fill(dst, dst + oh_lo * d.OW, 0.0f);
  for (std::size_t oh = oh_lo; oh < oh_hi; ++oh) {
    float* __restrict drow = dst + oh * d.OW;
    const float* __restrict srow = plane + (oh * s + i * d.dil - d.pad) * d.W;  // (W)
    for (std::size_t ow = 0; ow < ow_lo; ++ow) drow[ow] = 0.0f;
    if (s == 1)
      for (std::size_t ow = ow_lo; ow < ow_hi; ++ow)
        drow[ow] = srow[static_cast<long>(ow) + col_off];
    else
      for (std::size_t ow = ow_lo; ow < ow_hi; ++ow)
        drow[ow] = srow[static_cast<long>(ow * s) + col_off];
    for (std::size_t ow = ow_hi; ow < d.OW; ++ow) drow[ow] = 0.0f;
  }
  std::fill(dst + oh_hi * d.OW, dst + d.OHW(), 0.0f);
}

// Adds one (OH, OW) plane of cols for tap (i, j) into one (H, W) plane of dx.
void fold_plane(const float* src, const ConvDims& d, std::size_t i, std::size_t j, float* plane) {
  const std::size_t s = d.stride;
  std::size_t oh_lo, oh_hi, ow_lo, ow_hi;
  valid_range(d.H, d.OH, s, i * d.dil, d.pad, oh_lo, oh_hi);
  valid_range(d.W, d.OW, s, j * d.dil, d.pad, ow_lo, ow_hi);
  if (ow_hi == ow_lo) return;
  for (std::size_t oh = oh_lo; oh < oh_hi; ++oh) {
    const float* srow = src + oh * d.OW;
    float* drow = plane + (oh * s + i * d.dil - d.pad) * d.W + (ow_lo * s + j * d.dil - d.pad);
    if (s == 1)
      for (std::size_t ow = ow_lo; ow < ow_hi; ++ow) drow[ow - ow_lo] += srow[ow];
    else
      for (std::size_t ow = ow_lo; ow < ow_hi; ++ow) drow[(ow - ow_lo) * s] += srow[ow];
  }
}

}  // namespace

void im2col(const float* x, const ConvDims& d, std::size_t b0, std::size_t bc, std::size_t g,
            float* cols) {
  ProfileScope scope(ProfileOp::im2col);
  const std::size_t N = bc * d.OHW();
  for (std::size_t c = 0; c < d.cin_g(); ++c)
    for (std::size_t i = 0; i < d.kH; ++i)
      for (std::size_t j = 0; j < d.kW; ++j) {
        float* row = cols + ((c * d.kH + i) * d.kW + j) * N;  // (bc, OH, OW)
        for (std::size_t b = 0; b < bc; ++b)
          unroll_plane(x + ((b0 + b) * d.C_in + g * d.cin_g() + c) * d.HW(), d, i, j,
                       row + b * d.OHW());
      }
}

void col2im(const float* cols, const ConvDims& d, std::size_t b0, std::size_t bc, std::size_t g,
            float* dx) {
  ProfileScope scope(ProfileOp::col2im);
  const std::size_t N = bc * d.OHW();
  for (std::size_t c = 0; c < d.cin_g(); ++c)
    for (std::size_t i = 0; i < d.kH; ++i)
      for (std::size_t j = 0; j < d.kW; ++j) {
        const float* row = cols + ((c * d.kH + i) * d.kW + j) * N;  // (bc, OH, OW)
        for (std::size_t b = 0; b < bc; ++b)
          fold_plane(row + b * d.OHW(), d, i, j,
                     dx + ((b0 + b) * d.C_in + g * d.cin_g() + c) * d.HW());
      }
}

}  // namespace poda
