// Convolution backward: bias, weight and data gradients, the batch split between threads.
//
// The data gradient of a stride-1 convolution is itself a convolution: dy padded by
// dil*(k-1) - pad, correlated with the weights flipped in space and transposed in channels.
// That runs conv_forward (the direct kernels, or im2col + a GEMM of the forward pass's good
// shape, M = C_in, K = C_out*kH*kW) instead of the (K, OHW) = w^T @ dy GEMM with the short
// inner dimension C_out and a scatter-add (col2im) of nine times the input's size. Other
// convs take the col2im path. Weight gradients of stride-1 convs run conv_direct.h's GEMMs.
#include <algorithm>
#include <cstring>

#include "core/conv_choice.h"
#include "core/conv_direct.h"
#include "core/conv_kernels.h"
#include "core/conv_workspace.h"
#include "core/gemm.h"
#include "core/im2col.h"
#include "core/parallel.h"

namespace poda {

namespace {

// dy of samples [b0, b0+bc), group g, as a (cout_g, bc*OHW) matrix: in place for one
// sample, else gathered into the workspace.
const float* group_rows(const float* dy, const ConvDims& d, std::size_t b0, std::size_t bc,
                        std::size_t g, float* gathered) {
  const std::size_t OHW = d.OHW(), N = bc * OHW;
  if (bc == 1) return dy + (b0 * d.C_out + g * d.cout_g()) * OHW;
  for (std::size_t o = 0; o < d.cout_g(); ++o)
    for (std::size_t b = 0; b < bc; ++b)
      std::memcpy(gathered + o * N + b * OHW, dy + ((b0 + b) * d.C_out + g * d.cout_g() + o) * OHW,
                  OHW * sizeof(float));
  return gathered;
}

// dw (C_out, K) = beta * dw + sum over samples [lo, hi) of dy_b @ cols_b^T.
void weight_grad_samples(float* dw, float beta, const float* dy, const float* x, const ConvDims& d,
                         std::size_t lo, std::size_t hi) {
  const std::size_t OHW = d.OHW(), cout_g = d.cout_g(), K = d.K();
  const std::size_t chunk = conv_chunk_samples(d);
  ConvWorkspace& ws = conv_workspace();
  float* cols = d.pointwise() ? nullptr : grow(ws.cols, K * chunk * OHW);  // (K, Bc*OHW)
  float* gathered = chunk > 1 ? grow(ws.gathered, cout_g * chunk * OHW) : nullptr;
  for (std::size_t b0 = lo; b0 < hi; b0 += chunk) {
    const std::size_t bc = std::min(chunk, hi - b0), N = bc * OHW;
    for (std::size_t g = 0; g < d.groups; ++g) {
      const float* dyg = group_rows(dy, d, b0, bc, g, gathered);  // (cout_g, N)
      const float* src = cols;
      if (d.pointwise())
        src = x + (b0 * d.C_in + g * d.cin_g()) * d.HW();  // (cin_g, HW)
      else
        im2col(x, d, b0, bc, g, cols);
      gemm(false, true, cout_g, K, N, 1.0f, dyg, src, b0 == lo ? beta : 1.0f, dw + g * cout_g * K);
    }
  }
}

// Samples [lo, hi) of the col2im path: dcols (K, N) = w_g^T (K, cout_g) @ dy_g (cout_g, N),
// then added back into dx.
void data_grad_col2im(float* dx, float beta, const float* dy, const float* w, const ConvDims& d,
                      std::size_t lo, std::size_t hi) {
  const std::size_t OHW = d.OHW(), cout_g = d.cout_g(), K = d.K();
  if (beta == 0.0f) std::fill(dx + lo * d.C_in * d.HW(), dx + hi * d.C_in * d.HW(), 0.0f);
  const std::size_t chunk = conv_chunk_samples(d);
  ConvWorkspace& ws = conv_workspace();
  float* cols = grow(ws.cols, K * chunk * OHW);  // (K, Bc*OHW)
  float* gathered = chunk > 1 ? grow(ws.gathered, cout_g * chunk * OHW) : nullptr;
  for (std::size_t b0 = lo; b0 < hi; b0 += chunk) {
    const std::size_t bc = std::min(chunk, hi - b0), N = bc * OHW;
    for (std::size_t g = 0; g < d.groups; ++g) {
      const float* dyg = group_rows(dy, d, b0, bc, g, gathered);
      gemm(true, false, K, N, cout_g, 1.0f, w + g * cout_g * K, dyg, 0.0f, cols);
      col2im(cols, d, b0, bc, g, dx);
    }
  }
}

bool data_grad_is_conv(const ConvDims& d) {
  return d.groups == 1 && d.stride == 1 && d.kH == d.kW && d.pad <= d.dil * (d.kH - 1);
}

// wt (C_in, C_out, kH, kW)[c][o][i][j] = w (C_out, C_in, kH, kW)[o][c][kH-1-i][kW-1-j]
void flip_weights(const float* w, const ConvDims& d, float* wt) {
  const std::size_t taps = d.kH * d.kW;
  for (std::size_t o = 0; o < d.C_out; ++o)
    for (std::size_t c = 0; c < d.C_in; ++c) {
      const float* src = w + (o * d.C_in + c) * taps;
      float* dst = wt + (c * d.C_out + o) * taps;
      for (std::size_t t = 0; t < taps; ++t) dst[t] = src[taps - 1 - t];
    }
}

}  // namespace

void conv_backward_bias(float* dbias, float beta, const float* dy, const ConvDims& d) {
  const std::size_t OHW = d.OHW();
  if (beta == 0.0f) std::fill(dbias, dbias + d.C_out, 0.0f);
  for (std::size_t b = 0; b < d.B; ++b)
    for (std::size_t o = 0; o < d.C_out; ++o) {
      const float* p = dy + (b * d.C_out + o) * OHW;
      // Eight partial sums: one float accumulator is a serial chain the compiler may not
      // reorder; eight vectorise.
      float acc[8] = {};
      std::size_t k = 0;
      for (; k + 8 <= OHW; k += 8)
        for (std::size_t l = 0; l < 8; ++l) acc[l] += p[k + l];
      for (; k < OHW; ++k) acc[0] += p[k];
      dbias[o] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    }
}

namespace {

// conv_backward_weight on the direct path or the im2col one.
void weight_grad(bool direct, float* dw, float beta, const float* dy, const float* x,
                 const ConvDims& d) {
  // Each extra thread sums its samples into its own buffer; they are added at the end.
  const std::size_t size = d.C_out * d.K();
  const int slots = parallel_slots(d.B);
  float* partial = grow(conv_workspace().partial, (slots - 1) * size);
  const auto samples = direct ? conv_weight_grad_direct : weight_grad_samples;
  parallel_for(d.B, [&](std::size_t lo, std::size_t hi, int slot) {
    if (slot == 0)
      samples(dw, beta, dy, x, d, lo, hi);
    else
      samples(partial + (slot - 1) * size, 0.0f, dy, x, d, lo, hi);
  });
  for (int s = 1; s < slots; ++s)
    for (std::size_t i = 0; i < size; ++i) dw[i] += partial[(s - 1) * size + i];
}

}  // namespace

void conv_backward_weight(float* dw, float beta, const float* dy, const float* x,
                          const ConvDims& d) {
  std::vector<float> scratch;  // (C_out, K), only while the paths are timed
  const bool direct = conv_direct_chosen(ConvPass::weight_grad, d, [&](bool path) {
    scratch.resize(d.C_out * d.K());
    weight_grad(path, scratch.data(), 0.0f, dy, x, d);
  });
  weight_grad(direct, dw, beta, dy, x, d);
}

void conv_backward_data(float* dx, float beta, const float* dy, const float* w, const ConvDims& d) {
  if (!data_grad_is_conv(d)) {
    parallel_for(d.B, [&](std::size_t lo, std::size_t hi, int) {
      data_grad_col2im(dx, beta, dy, w, d, lo, hi);
    });
    return;
  }
  float* wt = grow(conv_workspace().weights, d.C_out * d.K());  // (C_in, C_out, kH, kW)
  flip_weights(w, d, wt);
  const std::size_t pad = d.dil * (d.kH - 1) - d.pad;
  // dx (B, C_in, H, W) = conv(dy (B, C_out, OH, OW), wt), stride 1, padding `pad`.
  const ConvDims t{d.B, d.C_out, d.OH, d.OW, d.C_in, d.kH, d.kW, d.H, d.W, 1, pad, d.dil, 1};
  conv_forward(dx, beta != 0.0f, dy, wt, nullptr, t);
}

}  // namespace poda
