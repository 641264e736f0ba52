// 2-D convolution by im2col + the GEMM wrapper, forward and backward side by side.
//
// The batch is cut into chunks; for each chunk and group the input patches are unrolled
// into a column matrix cols (K, Bc*OH*OW), K = C_in/groups * kH * kW, so one GEMM covers
// many samples (small convs would otherwise run tiny, inefficient GEMMs). 1x1 stride-1
// unpadded convs skip im2col: each sample's (C_in, H*W) block already is its column matrix.
#include <cblas.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/gemm.h"
#include "core/ops.h"
#include "core/profile.h"

namespace poda {

namespace {

// Geometry of one call, captured by value in the grad fn.
struct ConvDims {
  std::size_t B, C_in, H, W, C_out, kH, kW, OH, OW;
  std::size_t stride, pad, dil, groups;
  std::size_t cin_g() const { return C_in / groups; }
  std::size_t cout_g() const { return C_out / groups; }
  std::size_t K() const { return cin_g() * kH * kW; }
  std::size_t HW() const { return H * W; }
  std::size_t OHW() const { return OH * OW; }
  bool pointwise() const { return kH == 1 && kW == 1 && stride == 1 && pad == 0; }
};

// Buffers grow to the largest layer seen and are reused by every later call on the thread.
struct Workspace {
  std::vector<float> cols;      // (K, Bc*OHW) patches, or their gradient in backward
  std::vector<float> gathered;  // (C_out/groups, Bc*OHW) one group's output or its gradient
};
Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}
float* grow(std::vector<float>& buf, std::size_t n) {
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// True when OpenBLAS runs a core with small-matrix SGEMM kernels (0.3.21: SkylakeX and
// Cooperlake), which make many small GEMMs faster than one batched GEMM.
bool blas_has_small_kernels() {
  static const bool yes = [] {
    std::string core = openblas_get_corename();
    for (char& c : core) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return core == "skylakex" || core == "cooperlake" || core == "sapphirerapids";
  }();
  return yes;
}

// Samples per chunk. Small convs (up to 1M MACs per sample and group) run one sample at a
// time, straight from and into the (B, C, ...) tensors, when OpenBLAS has small-matrix kernels
// for them (measured on LeNet-5: 2.5x faster than batched there; 2x slower on Haswell, where
// the per-call overhead dominates). Otherwise samples are batched until the column matrix
// holds about 1M floats (4 MB): the GEMM stays wide and im2col's output is still in cache
// when the GEMM packs it.
ConvBatching g_batching = ConvBatching::automatic;

std::size_t chunk_samples(const ConvDims& d) {
  const std::size_t per_sample = d.K() * d.OHW();
  const bool small = blas_has_small_kernels() && per_sample * d.cout_g() <= (std::size_t(1) << 20);
  if (g_batching == ConvBatching::per_sample ||
      (g_batching == ConvBatching::automatic && small))
    return 1;
  return std::clamp<std::size_t>((std::size_t(1) << 20) / per_sample, 1, d.B);
}

// Outputs [lo, hi) along one axis whose input index out*stride + tap - pad is in [0, in).
void valid_range(std::size_t in, std::size_t out, std::size_t stride, std::size_t tap,
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

// cols (K, Bc*OHW): row (c, i, j), column (b, oh, ow) holds
// x[b0+b, g*cin_g + c, oh*s + i*d - p, ow*s + j*d - p], or 0 in the padding.
void im2col(const float* x, const ConvDims& d, std::size_t b0, std::size_t bc, std::size_t g,
            float* cols) {
  ProfileScope scope(ProfileOp::im2col);
  const std::size_t N = bc * d.OHW(), s = d.stride;
  for (std::size_t c = 0; c < d.cin_g(); ++c)
    for (std::size_t i = 0; i < d.kH; ++i) {
      std::size_t oh_lo, oh_hi;
      valid_range(d.H, d.OH, s, i * d.dil, d.pad, oh_lo, oh_hi);
      for (std::size_t j = 0; j < d.kW; ++j) {
        std::size_t ow_lo, ow_hi;
        valid_range(d.W, d.OW, s, j * d.dil, d.pad, ow_lo, ow_hi);
        float* row = cols + ((c * d.kH + i) * d.kW + j) * N;
        for (std::size_t b = 0; b < bc; ++b) {
          const float* plane = x + ((b0 + b) * d.C_in + g * d.cin_g() + c) * d.HW();  // (H, W)
          float* dst = row + b * d.OHW();                                            // (OH, OW)
          std::fill(dst, dst + oh_lo * d.OW, 0.0f);
          for (std::size_t oh = oh_lo; oh < oh_hi; ++oh) {
            float* drow = dst + oh * d.OW;
            std::fill(drow, drow + ow_lo, 0.0f);
            if (ow_hi > ow_lo) {
              const float* src =
                  plane + (oh * s + i * d.dil - d.pad) * d.W + (ow_lo * s + j * d.dil - d.pad);
              if (s == 1) {  // short rows (8-28 floats in LeNets): a loop beats a call
                for (std::size_t ow = ow_lo; ow < ow_hi; ++ow) drow[ow] = src[ow - ow_lo];
              } else {
                for (std::size_t ow = ow_lo; ow < ow_hi; ++ow) drow[ow] = src[(ow - ow_lo) * s];
              }
            }
            std::fill(drow + ow_hi, drow + d.OW, 0.0f);
          }
          std::fill(dst + oh_hi * d.OW, dst + d.OHW(), 0.0f);
        }
      }
    }
}

// The adjoint of im2col: adds every column entry back into dx at the pixel it came from.
void col2im(const float* cols, const ConvDims& d, std::size_t b0, std::size_t bc, std::size_t g,
            float* dx) {
  ProfileScope scope(ProfileOp::col2im);
  const std::size_t N = bc * d.OHW(), s = d.stride;
  for (std::size_t c = 0; c < d.cin_g(); ++c)
    for (std::size_t i = 0; i < d.kH; ++i) {
      std::size_t oh_lo, oh_hi;
      valid_range(d.H, d.OH, s, i * d.dil, d.pad, oh_lo, oh_hi);
      for (std::size_t j = 0; j < d.kW; ++j) {
        std::size_t ow_lo, ow_hi;
        valid_range(d.W, d.OW, s, j * d.dil, d.pad, ow_lo, ow_hi);
        if (ow_hi == ow_lo) continue;
        const float* row = cols + ((c * d.kH + i) * d.kW + j) * N;
        for (std::size_t b = 0; b < bc; ++b) {
          float* plane = dx + ((b0 + b) * d.C_in + g * d.cin_g() + c) * d.HW();  // (H, W)
          const float* src = row + b * d.OHW();                                 // (OH, OW)
          for (std::size_t oh = oh_lo; oh < oh_hi; ++oh) {
            const float* srow = src + oh * d.OW;
            float* drow =
                plane + (oh * s + i * d.dil - d.pad) * d.W + (ow_lo * s + j * d.dil - d.pad);
            if (s == 1) {
              for (std::size_t ow = ow_lo; ow < ow_hi; ++ow) drow[ow - ow_lo] += srow[ow];
            } else {
              for (std::size_t ow = ow_lo; ow < ow_hi; ++ow) drow[(ow - ow_lo) * s] += srow[ow];
            }
          }
        }
      }
    }
}

void conv_forward(float* y, const float* x, const float* w, const float* bias,
                  const ConvDims& d) {
  const std::size_t OHW = d.OHW(), cout_g = d.cout_g(), K = d.K();
  if (d.pointwise()) {
    // y_b,g (cout_g, HW) = w_g (cout_g, cin_g) @ x_b,g (cin_g, HW) [+ bias]
    for (std::size_t b = 0; b < d.B; ++b) {
      float* yb = y + b * d.C_out * OHW;  // (C_out, OHW)
      if (bias)
        for (std::size_t o = 0; o < d.C_out; ++o) std::fill(yb + o * OHW, yb + (o + 1) * OHW, bias[o]);
      for (std::size_t g = 0; g < d.groups; ++g)
        gemm(false, false, cout_g, OHW, d.cin_g(), 1.0f, w + g * cout_g * K,
             x + (b * d.C_in + g * d.cin_g()) * d.HW(), bias ? 1.0f : 0.0f,
             yb + g * cout_g * OHW);
    }
    return;
  }
  Workspace& ws = workspace();
  const std::size_t chunk = chunk_samples(d);
  float* cols = grow(ws.cols, K * chunk * OHW);            // (K, Bc*OHW)
  float* out = grow(ws.gathered, cout_g * chunk * OHW);    // (cout_g, Bc*OHW)
  for (std::size_t b0 = 0; b0 < d.B; b0 += chunk) {
    const std::size_t bc = std::min(chunk, d.B - b0), N = bc * OHW;
    if (bc == 1 && bias)
      for (std::size_t o = 0; o < d.C_out; ++o) {
        float* dst = y + (b0 * d.C_out + o) * OHW;
        std::fill(dst, dst + OHW, bias[o]);
      }
    for (std::size_t g = 0; g < d.groups; ++g) {
      im2col(x, d, b0, bc, g, cols);
      if (bc == 1) {  // one sample: the GEMM writes its (cout_g, OHW) block of y directly
        gemm(false, false, cout_g, N, K, 1.0f, w + g * cout_g * K, cols, bias ? 1.0f : 0.0f,
             y + (b0 * d.C_out + g * cout_g) * OHW);
        continue;
      }
      gemm(false, false, cout_g, N, K, 1.0f, w + g * cout_g * K, cols, 0.0f, out);
      // Scatter (cout_g, Bc, OHW) into y (B, C_out, OHW), adding the bias on the way.
      for (std::size_t o = 0; o < cout_g; ++o) {
        const std::size_t oc = g * cout_g + o;
        const float bo = bias ? bias[oc] : 0.0f;
        for (std::size_t b = 0; b < bc; ++b) {
          const float* src = out + o * N + b * OHW;
          float* dst = y + ((b0 + b) * d.C_out + oc) * OHW;
          for (std::size_t k = 0; k < OHW; ++k) dst[k] = src[k] + bo;
        }
      }
    }
  }
}

// dy (B, C_out, OH, OW) -> gradients of x, w, bias; each pointer may be null (not wanted).
// beta_w / beta_x: 0 when that gradient buffer is fresh, 1 to accumulate.
void conv_backward(float* dx, float beta_x, float* dw, float beta_w, float* dbias,
                   float beta_b, const float* dy, const float* x, const float* w,
                   const ConvDims& d) {
  const std::size_t OHW = d.OHW(), cout_g = d.cout_g(), K = d.K();
  if (dbias) {  // dbias (C_out) = sum over b, oh, ow of dy
    if (beta_b == 0.0f) std::fill(dbias, dbias + d.C_out, 0.0f);
    for (std::size_t b = 0; b < d.B; ++b)
      for (std::size_t o = 0; o < d.C_out; ++o) {
        const float* p = dy + (b * d.C_out + o) * OHW;
        // Eight partial sums: a single float accumulator is a serial chain the compiler
        // may not reorder, eight vectorise.
        float acc[8] = {};
        std::size_t k = 0;
        for (; k + 8 <= OHW; k += 8)
          for (std::size_t l = 0; l < 8; ++l) acc[l] += p[k + l];
        for (; k < OHW; ++k) acc[0] += p[k];
        dbias[o] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      }
  }
  if (!dw && !dx) return;
  if (d.pointwise()) {
    for (std::size_t b = 0; b < d.B; ++b)
      for (std::size_t g = 0; g < d.groups; ++g) {
        const float* dyg = dy + (b * d.C_out + g * cout_g) * OHW;   // (cout_g, HW)
        const std::size_t xoff = (b * d.C_in + g * d.cin_g()) * d.HW();  // (cin_g, HW)
        if (dw)  // dw_g (cout_g, cin_g) += dy_b,g @ x_b,g^T
          gemm(false, true, cout_g, d.cin_g(), OHW, 1.0f, dyg, x + xoff,
               b == 0 ? beta_w : 1.0f, dw + g * cout_g * K);
        if (dx)  // dx_b,g (cin_g, HW) = w_g^T @ dy_b,g
          gemm(true, false, d.cin_g(), OHW, cout_g, 1.0f, w + g * cout_g * K, dyg, beta_x,
               dx + xoff);
      }
    return;
  }
  if (dx && beta_x == 0.0f) std::fill(dx, dx + d.B * d.C_in * d.HW(), 0.0f);  // col2im adds
  Workspace& ws = workspace();
  const std::size_t chunk = chunk_samples(d);
  float* cols = grow(ws.cols, K * chunk * OHW);           // (K, Bc*OHW), then its gradient
  float* gathered = grow(ws.gathered, cout_g * chunk * OHW);  // (cout_g, Bc*OHW)
  for (std::size_t b0 = 0; b0 < d.B; b0 += chunk) {
    const std::size_t bc = std::min(chunk, d.B - b0), N = bc * OHW;
    for (std::size_t g = 0; g < d.groups; ++g) {
      // One sample's dy block is already (cout_g, OHW); a chunk's is gathered.
      const float* dyg = bc == 1 ? dy + (b0 * d.C_out + g * cout_g) * OHW : gathered;
      for (std::size_t o = 0; bc > 1 && o < cout_g; ++o)
        for (std::size_t b = 0; b < bc; ++b)
          std::memcpy(gathered + o * N + b * OHW, dy + ((b0 + b) * d.C_out + g * cout_g + o) * OHW,
                      OHW * sizeof(float));
      const float* wg = w + g * cout_g * K;  // (cout_g, K)
      if (dw) {  // dw_g (cout_g, K) += dy_g (cout_g, N) @ cols^T (N, K)
        im2col(x, d, b0, bc, g, cols);
        gemm(false, true, cout_g, K, N, 1.0f, dyg, cols, b0 == 0 ? beta_w : 1.0f,
             dw + g * cout_g * K);
      }
      if (dx) {  // dcols (K, N) = w_g^T (K, cout_g) @ dy_g (cout_g, N), then scattered back
        gemm(true, false, K, N, cout_g, 1.0f, wg, dyg, 0.0f, cols);
        col2im(cols, d, b0, bc, g, dx);
      }
    }
  }
}

// For GEMM-bound estimates (profile.h): im2col's three products per sample and group.
void note_conv_gemms(const ConvDims& d, bool dx) {
  if (!profiling_here() || !grad_enabled()) return;
  const std::size_t n = d.B * d.groups, M = d.cout_g(), N = d.OHW(), K = d.K();
  profile_note_gemm({false, false, M, N, K, n, false});  // y = w @ cols
  profile_note_gemm({false, true, M, K, N, n, true});    // dw += dy @ cols^T
  if (dx) profile_note_gemm({true, false, K, N, M, n, false});  // dcols = w^T @ dy
}

}  // namespace

void set_conv_batching(ConvBatching mode) { g_batching = mode; }

std::size_t conv_out_size(std::size_t in, std::size_t kernel, std::size_t stride,
                          std::size_t padding, std::size_t dilation) {
  const std::size_t span = dilation * (kernel - 1) + 1;
  if (kernel == 0 || stride == 0 || span > in + 2 * padding) return 0;
  return (in + 2 * padding - span) / stride + 1;
}

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const Conv2dOptions& opt) {
  const auto fail = [&](const std::string& why) {
    throw std::invalid_argument("conv2d: input " + shape_str(x.shape()) + ", weight " +
                                shape_str(weight.shape()) + ": " + why);
  };
  if (x.data().dimension() != 4 || weight.data().dimension() != 4)
    fail("expected x (B, C_in, H, W) and weight (C_out, C_in/groups, kH, kW)");
  const std::size_t groups = opt.groups;
  if (groups == 0 || x.dim(1) % groups || weight.dim(0) % groups)
    fail("groups " + std::to_string(groups) + " must divide C_in and C_out");
  if (weight.dim(1) * groups != x.dim(1)) fail("C_in/groups does not match");
  ConvDims d{x.dim(0), x.dim(1), x.dim(2), x.dim(3), weight.dim(0), weight.dim(2),
             weight.dim(3), 0, 0, opt.stride, opt.padding, opt.dilation, groups};
  d.OH = conv_out_size(d.H, d.kH, d.stride, d.pad, d.dil);
  d.OW = conv_out_size(d.W, d.kW, d.stride, d.pad, d.dil);
  if (d.OH == 0 || d.OW == 0) fail("kernel does not fit the padded input");
  const bool has_bias = bias.defined();
  if (has_bias && bias.size() != d.C_out) fail("bias " + shape_str(bias.shape()));

  note_conv_gemms(d, x.requires_grad());
  Array y = empty_array({d.B, d.C_out, d.OH, d.OW});
  conv_forward(y.data(), x.data().data(), weight.data().data(),
               has_bias ? bias.data().data() : nullptr, d);
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  return Variable::from_op(std::move(y), std::move(inputs),
                           [d](std::vector<Variable>& in, const Array& dy) {
    float beta_x = 0.0f, beta_w = 0.0f, beta_b = 0.0f;
    // The first layer's input needs no gradient: its col2im and GEMM are skipped.
    float* dx = in[0].requires_grad() ? in[0].grad_accumulator(beta_x) : nullptr;
    float* dw = in[1].requires_grad() ? in[1].grad_accumulator(beta_w) : nullptr;
    float* db = in.size() > 2 && in[2].requires_grad() ? in[2].grad_accumulator(beta_b)
                                                       : nullptr;
    conv_backward(dx, beta_x, dw, beta_w, db, beta_b, dy.data(), in[0].data().data(),
                  in[1].data().data(), d);
  });
}

}  // namespace poda
