// Convolution forward by im2col + GEMM, and how the GEMMs are batched. Stride-1 convs take
// the direct kernels of conv_direct.h instead (no patch matrix: see the README, CIFAR-scale
// training).
//
// A thread's slice of the batch is cut into chunks; for each chunk and group the patches are
// unrolled into cols (K, Bc*OHW), so one GEMM covers Bc samples. 1x1 stride-1 unpadded convs
// skip im2col for one sample: its (C_in, H*W) block already is its column matrix.
#include <cblas.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/conv_choice.h"
#include "core/conv_direct.h"
#include "core/conv_kernels.h"
#include "core/conv_workspace.h"
#include "core/gemm.h"
#include "core/im2col.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "kernels/clones.h"

namespace poda {

namespace {

ConvBatching g_batching = ConvBatching::automatic;

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

// y rows (cout_g, OHW) of one sample and group: y = bias (+ y when accumulating), so the
// GEMM can then add into it with beta 1. Returns that beta.
float seed_output(float* yg, bool accumulate, const float* bias, std::size_t rows,
                  std::size_t OHW) {
  if (!bias) return accumulate ? 1.0f : 0.0f;
  for (std::size_t o = 0; o < rows; ++o) {
    float* row = yg + o * OHW;
    if (accumulate)
      for (std::size_t k = 0; k < OHW; ++k) row[k] += bias[o];
    else
      std::fill(row, row + OHW, bias[o]);
  }
  return 1.0f;
}

// Scatters out (cout_g, Bc, OHW) into y (B, C_out, OHW) at samples [b0, b0+bc), group g.
void scatter_output(float* y, bool accumulate, const float* out, const float* bias,
                    const ConvDims& d, std::size_t b0, std::size_t bc, std::size_t g) {
  const std::size_t OHW = d.OHW(), N = bc * OHW;
  for (std::size_t o = 0; o < d.cout_g(); ++o) {
    const std::size_t oc = g * d.cout_g() + o;
    const float bo = bias ? bias[oc] : 0.0f;
    for (std::size_t b = 0; b < bc; ++b) {
      const float* src = out + o * N + b * OHW;
      float* dst = y + ((b0 + b) * d.C_out + oc) * OHW;
      if (accumulate)
        for (std::size_t k = 0; k < OHW; ++k) dst[k] += src[k] + bo;
      else
        for (std::size_t k = 0; k < OHW; ++k) dst[k] = src[k] + bo;
    }
  }
}

// Samples [lo, hi) of conv_forward, on the calling thread.
void forward_samples(float* y, bool accumulate, const float* x, const float* w, const float* bias,
                     const ConvDims& d, std::size_t lo, std::size_t hi, std::uint8_t* relu_mask) {
  const std::size_t OHW = d.OHW(), cout_g = d.cout_g(), K = d.K();
  const std::size_t chunk = conv_chunk_samples(d);
  ConvWorkspace& ws = conv_workspace();
  float* cols = d.pointwise() ? nullptr : grow(ws.cols, K * chunk * OHW);  // (K, Bc*OHW)
  float* out = chunk > 1 ? grow(ws.gathered, cout_g * chunk * OHW) : nullptr;
  for (std::size_t b0 = lo; b0 < hi; b0 += chunk) {
    const std::size_t bc = std::min(chunk, hi - b0), N = bc * OHW;
    for (std::size_t g = 0; g < d.groups; ++g) {
      const float* wg = w + g * cout_g * K;  // (cout_g, K)
      const float* src = cols;
      if (d.pointwise())
        src = x + (b0 * d.C_in + g * d.cin_g()) * d.HW();  // (cin_g, HW)
      else
        im2col(x, d, b0, bc, g, cols);
      if (bc == 1) {  // one sample: the GEMM writes its (cout_g, OHW) block of y directly
        float* yg = y + (b0 * d.C_out + g * cout_g) * OHW;
        const float beta =
            seed_output(yg, accumulate, bias ? bias + g * cout_g : nullptr, cout_g, OHW);
        gemm(false, false, cout_g, N, K, 1.0f, wg, src, beta, yg);
        continue;
      }
      gemm(false, false, cout_g, N, K, 1.0f, wg, src, 0.0f, out);
      scatter_output(y, accumulate, out, bias, d, b0, bc, g);
    }
    const std::size_t first = b0 * d.C_out * OHW, n = std::min(chunk, hi - b0) * d.C_out * OHW;
    if (relu_mask) relu_with_mask(y + first, relu_mask + first, n);
  }
}

}  // namespace

void set_conv_batching(ConvBatching mode) {
  g_batching = mode;
}

// On cores with small-matrix SGEMM kernels, every conv runs one sample at a time, straight
// from and into the (B, C, ...) tensors: a sample's column matrix (ResNet-20: 147k floats at
// most) stays in L2 between im2col and the GEMM, and no output scatter or gradient gather is
// needed (bench_conv_train --im2col compares the chunk sizes). Without those kernels (Haswell) the
// per-call overhead dominates small GEMMs, so samples are batched until the column matrix
// holds about 1M floats (4 MB). 1x1 stride-1 convs always go one sample at a time.
std::size_t conv_chunk_samples(const ConvDims& d) {
  const bool per_sample = g_batching == ConvBatching::per_sample ||
                          (g_batching == ConvBatching::automatic && blas_has_small_kernels());
  if (d.pointwise() || per_sample) return 1;
  return std::clamp<std::size_t>((std::size_t(1) << 20) / (d.K() * d.OHW()), 1, d.B);
}

namespace {

PODA_CLONES void relu_with_mask_loop(float* __restrict y, std::uint8_t* __restrict mask,
                                     std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const bool on = y[i] > 0.0f;
    mask[i] = on;
    y[i] = on ? y[i] : 0.0f;
  }
}

}  // namespace

void relu_with_mask(float* y, std::uint8_t* mask, std::size_t n) {
  ProfileScope scope(ProfileOp::activation);
  relu_with_mask_loop(y, mask, n);
}

void conv_forward(float* y, bool accumulate, const float* x, const float* w, const float* bias,
                  const ConvDims& d, std::uint8_t* relu_mask) {
  auto run = [&](bool direct, float* out, bool acc, std::uint8_t* mask) {
    parallel_for(d.B, [&](std::size_t lo, std::size_t hi, int) {
      if (direct)
        conv_forward_direct(out, acc, x, w, bias, d, lo, hi, mask);
      else
        forward_samples(out, acc, x, w, bias, d, lo, hi, mask);
    });
  };
  std::vector<float> scratch;  // (B, C_out, OH, OW), only while the paths are timed
  const bool direct = conv_direct_chosen(ConvPass::forward, d, [&](bool path) {
    scratch.resize(d.B * d.C_out * d.OHW());
    run(path, scratch.data(), false, nullptr);
  });
  run(direct, y, accumulate, relu_mask);
}

}  // namespace poda
