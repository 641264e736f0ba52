// Moving between images and token sequences (B, T, D): patches become tokens, a class token
// is prepended, and a sequence is pooled back to one vector per sample.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/ops_transformer.h"

namespace poda {

namespace {

void require_tokens(const char* op, const Variable& x) {
  if (x.data().dimension() != 3 || x.size() == 0)
    throw std::invalid_argument(std::string(op) + ": input " + shape_str(x.shape()) +
                                " is not a non-empty (B, T, D)");
}

// dst (rows, cols) = src (cols, rows)^T, one sample at a time; with beta 1 it adds.
void transpose_into(float* dst, const float* src, std::size_t rows, std::size_t cols,
                    bool accumulate) {
  for (std::size_t c = 0; c < cols; ++c)
    for (std::size_t r = 0; r < rows; ++r) {
      const float v = src[c * rows + r];
      dst[r * cols + c] = accumulate ? dst[r * cols + c] + v : v;
    }
}

}  // namespace

Variable channels_to_tokens(const Variable& x) {
  const std::size_t rank = x.data().dimension();
  if ((rank != 3 && rank != 4) || x.size() == 0)
    throw std::invalid_argument("channels_to_tokens: input " + shape_str(x.shape()) +
                                " is not (B, C, H, W) or (B, C, N)");
  const std::size_t B = x.dim(0), C = x.dim(1), N = x.size() / (B * C);
  Array t = empty_array({B, N, C});
  for (std::size_t b = 0; b < B; ++b)  // (C, N) -> (N, C)
    transpose_into(t.data() + b * N * C, x.data().data() + b * C * N, N, C, false);
  return Variable::from_op(
      std::move(t), {x}, [B, C, N](std::vector<Variable>& in, const Array& dt) {
        float beta;
        float* dx = in[0].grad_accumulator(beta);
        for (std::size_t b = 0; b < B; ++b)  // (N, C) -> (C, N)
          transpose_into(dx + b * C * N, dt.data() + b * N * C, C, N, beta != 0.0f);
      });
}

Variable prepend_token(const Variable& x, const Variable& token) {
  require_tokens("prepend_token", x);
  const std::size_t B = x.dim(0), T = x.dim(1), D = x.dim(2);
  if (token.size() != D)
    throw std::invalid_argument("prepend_token: token " + shape_str(token.shape()) +
                                " for tokens of " + std::to_string(D) + " features");
  Array y = empty_array({B, T + 1, D});
  const float* px = x.data().data();
  const float* pt = token.data().data();
  for (std::size_t b = 0; b < B; ++b) {
    float* yb = y.data() + b * (T + 1) * D;
    std::copy(pt, pt + D, yb);
    std::copy(px + b * T * D, px + (b + 1) * T * D, yb + D);
  }
  return Variable::from_op(std::move(y), {x, token},
                           [B, T, D](std::vector<Variable>& in, const Array& dy) {
                             float beta;
                             const float* pdy = dy.data();
                             if (in[0].requires_grad()) {
                               float* dx = in[0].grad_accumulator(beta);
                               for (std::size_t b = 0; b < B; ++b)
                                 for (std::size_t i = 0; i < T * D; ++i) {
                                   const float v = pdy[b * (T + 1) * D + D + i];
                                   dx[b * T * D + i] = beta == 0.0f ? v : dx[b * T * D + i] + v;
                                 }
                             }
                             if (in[1].requires_grad()) {  // summed over the batch
                               float* dt = in[1].grad_accumulator(beta);
                               if (beta == 0.0f) std::fill(dt, dt + D, 0.0f);
                               for (std::size_t b = 0; b < B; ++b)
                                 for (std::size_t j = 0; j < D; ++j)
                                   dt[j] += pdy[b * (T + 1) * D + j];
                             }
                           });
}

Variable add_to_each_sample(const Variable& x, const Variable& p) {
  const Shape xs = x.shape();
  if (xs.empty() || Shape(xs.begin() + 1, xs.end()) != p.shape())
    throw std::invalid_argument("add_to_each_sample: input " + shape_str(xs) +
                                " is not a batch of " + shape_str(p.shape()));
  const std::size_t B = xs[0], n = p.size();
  Array y = empty_array(xs);
  const float* px = x.data().data();
  const float* pp = p.data().data();
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < n; ++i) y.data()[b * n + i] = px[b * n + i] + pp[i];
  return Variable::from_op(std::move(y), {x, p},
                           [B, n](std::vector<Variable>& in, const Array& dy) {
                             float beta;
                             if (in[0].requires_grad()) {
                               float* dx = in[0].grad_accumulator(beta);
                               for (std::size_t i = 0; i < B * n; ++i)
                                 dx[i] = beta == 0.0f ? dy.data()[i] : dx[i] + dy.data()[i];
                             }
                             if (in[1].requires_grad()) {  // summed over the batch
                               float* dp = in[1].grad_accumulator(beta);
                               if (beta == 0.0f) std::fill(dp, dp + n, 0.0f);
                               for (std::size_t b = 0; b < B; ++b)
                                 for (std::size_t i = 0; i < n; ++i) dp[i] += dy.data()[b * n + i];
                             }
                           });
}

Variable first_token(const Variable& x) {
  require_tokens("first_token", x);
  const std::size_t B = x.dim(0), T = x.dim(1), D = x.dim(2);
  Array y = empty_array({B, D});
  for (std::size_t b = 0; b < B; ++b)
    std::copy(x.data().data() + b * T * D, x.data().data() + b * T * D + D, y.data() + b * D);
  return Variable::from_op(
      std::move(y), {x}, [B, T, D](std::vector<Variable>& in, const Array& dy) {
        Array dx = zeros_array({B, T, D});
        for (std::size_t b = 0; b < B; ++b)
          std::copy(dy.data() + b * D, dy.data() + (b + 1) * D, dx.data() + b * T * D);
        in[0].add_grad(std::move(dx));
      });
}

Variable mean_tokens(const Variable& x) {
  require_tokens("mean_tokens", x);
  const std::size_t B = x.dim(0), T = x.dim(1), D = x.dim(2);
  const float inv = 1.0f / static_cast<float>(T);
  Array y = zeros_array({B, D});
  const float* px = x.data().data();
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t j = 0; j < D; ++j) y.data()[b * D + j] += px[(b * T + t) * D + j] * inv;
  return Variable::from_op(std::move(y), {x},
                           [B, T, D, inv](std::vector<Variable>& in, const Array& dy) {
                             float beta;
                             float* dx = in[0].grad_accumulator(beta);
                             for (std::size_t b = 0; b < B; ++b)
                               for (std::size_t t = 0; t < T; ++t)
                                 for (std::size_t j = 0; j < D; ++j) {
                                   float& g = dx[(b * T + t) * D + j];
                                   const float v = dy.data()[b * D + j] * inv;
                                   g = beta == 0.0f ? v : g + v;
                                 }
                           });
}

}  // namespace poda
