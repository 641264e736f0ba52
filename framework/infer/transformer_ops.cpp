#include "infer/transformer_ops.h"

#include <algorithm>
#include <cmath>

#include "core/gemm.h"
#include "core/ops_transformer.h"

namespace poda {

void gelu_activation(const float* x, float* y, std::size_t n) {
  gelu_values(x, y, n);
}

void LayerNormOp::run(Workspace& ws, std::size_t batch) {
  const std::size_t D = gamma_.size();
  layer_norm_rows(ws.slot(out), ws.slot(in), gamma_.data(), beta_.data(),
                  numel(in_shape) / D * batch, D, eps_, nullptr, nullptr);
}

void ToTokensOp::run(Workspace& ws, std::size_t batch) {
  const std::size_t C = in_shape[0], N = numel(in_shape) / C;
  const float* x = ws.slot(in);
  float* y = ws.slot(out);
  for (std::size_t b = 0; b < batch; ++b)  // (C, N) -> (N, C)
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t n = 0; n < N; ++n) y[(b * N + n) * C + c] = x[(b * C + c) * N + n];
}

void PrependTokenOp::run(Workspace& ws, std::size_t batch) {
  const std::size_t D = token_.size(), n_in = numel(in_shape);
  const float* x = ws.slot(in);
  float* y = ws.slot(out);
  for (std::size_t b = 0; b < batch; ++b) {
    float* yb = y + b * (n_in + D);
    std::copy(token_.begin(), token_.end(), yb);
    std::copy(x + b * n_in, x + (b + 1) * n_in, yb + D);
  }
}

void AddPositionsOp::run(Workspace& ws, std::size_t batch) {
  const std::size_t n = position_.size();
  const float* x = ws.slot(in);
  float* y = ws.slot(out);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i < n; ++i) y[b * n + i] = x[b * n + i] + position_[i];
}

void TokenPoolOp::run(Workspace& ws, std::size_t batch) {
  const std::size_t T = in_shape[0], D = in_shape[1];
  const float* x = ws.slot(in);
  float* y = ws.slot(out);
  const float inv = 1.0f / static_cast<float>(T);
  for (std::size_t b = 0; b < batch; ++b) {
    const float* xb = x + b * T * D;
    float* yb = y + b * D;
    std::copy(xb, xb + D, yb);
    if (!mean_) continue;
    for (std::size_t t = 1; t < T; ++t)
      for (std::size_t j = 0; j < D; ++j) yb[j] += xb[t * D + j];
    for (std::size_t j = 0; j < D; ++j) yb[j] *= inv;
  }
}

AttentionOp::AttentionOp(std::string name, AttentionWeights weights)
    : name_(std::move(name)), w_(std::move(weights)) {}

std::string AttentionOp::describe() const {
  return name_ + " MultiHeadSelfAttention(" + std::to_string(w_.q_weight.shape()[1]) + ", " +
         std::to_string(w_.heads) + " heads)";
}

std::size_t AttentionOp::macs() const {
  const std::size_t T = in_shape[0], D = in_shape[1], E = w_.q_weight.shape()[0];
  return 4 * T * D * E + 2 * T * T * E;
}

std::size_t AttentionOp::bytes_dense() const {
  std::size_t n = 0;
  for (const Array* a : {&w_.q_weight, &w_.q_bias, &w_.k_weight, &w_.k_bias, &w_.v_weight,
                         &w_.v_bias, &w_.out_weight, &w_.out_bias})
    n += a->size();
  return n * sizeof(float);
}

void AttentionOp::reserve(std::size_t batch) {
  const std::size_t T = in_shape[0], E = w_.q_weight.shape()[0];
  for (auto* buffer : {&q_, &k_, &v_, &mixed_}) buffer->resize(batch * T * E);
  scores_.resize(batch * w_.heads * T * T);
}

namespace {
// y (rows, out) = x (rows, in) weight^T (in, out) + bias
void project(float* y, const float* x, const Array& weight, const Array& bias, std::size_t rows) {
  const std::size_t out = weight.shape()[0], in = weight.shape()[1];
  if (bias.size() != 0)
    for (std::size_t r = 0; r < rows; ++r) std::copy(bias.begin(), bias.end(), y + r * out);
  gemm(false, true, rows, out, in, 1.0f, x, weight.data(), bias.size() != 0 ? 1.0f : 0.0f, y);
}
}  // namespace

void AttentionOp::run(Workspace& ws, std::size_t batch) {
  // E = heads * head width: the model's width D, or less when heads were removed.
  const std::size_t T = in_shape[0], E = w_.q_weight.shape()[0], H = w_.heads, dh = E / H;
  const std::size_t rows = batch * T;
  const float* x = ws.slot(in);
  project(q_.data(), x, w_.q_weight, w_.q_bias, rows);
  project(k_.data(), x, w_.k_weight, w_.k_bias, rows);
  project(v_.data(), x, w_.v_weight, w_.v_bias, rows);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t h = 0; h < H; ++h) {  // the same strided GEMMs as core/ops_attention.cpp
      const std::size_t tok = b * T * E + h * dh;
      float* s = scores_.data() + (b * H + h) * T * T;
      gemm(false, true, T, T, dh, scale, q_.data() + tok, E, k_.data() + tok, E, 0.0f, s, T);
      softmax_rows(s, s, T, T);
      gemm(false, false, T, dh, T, 1.0f, s, T, v_.data() + tok, E, 0.0f, mixed_.data() + tok, E);
    }
  project(ws.slot(out), mixed_.data(), w_.out_weight, w_.out_bias, rows);
}

}  // namespace poda
