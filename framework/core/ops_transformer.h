#pragma once
// The ops a transformer adds to core/ops.h's: GELU, layer normalisation, softmax, the batched
// matmuls of multi-head attention and moving between images and token sequences. Each op's
// forward and backward live side by side in one .cpp of its family (ops_gelu, ops_layer_norm,
// ops_softmax, ops_attention, ops_tokens).
#include "core/ops.h"

namespace poda {

// ---- GELU (ops_gelu.cpp) ----
// x * Phi(x) with the exact normal CDF (erf), PyTorch's default nn.GELU (approximate='none').
Variable gelu(const Variable& x);

// ---- layer normalisation (ops_layer_norm.cpp) ----
// Layer normalisation (Ba et al. 2016) over the last axis: x (..., D); gamma, beta (D).
// Biased variance, as PyTorch's nn.LayerNorm.
Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta, float eps);

// ---- attention (ops_attention.cpp, ops_softmax.cpp) ----
// Softmax over the last axis, any rank.
Variable softmax(const Variable& x);
// The two batched matmuls of multi-head attention, reading and writing the heads in place in
// (B, T, D) with D = heads * d_head (strided GEMMs, no transposed copies). Head h of a token is
// features [h * d_head, (h + 1) * d_head).
// q, k (B, T, D) -> scores (B, heads, T, T) = scale * q_h k_h^T
Variable attention_scores(const Variable& q, const Variable& k, std::size_t heads, float scale);
// p (B, heads, T, T), v (B, T, D) -> (B, T, D), head h's features = p_h v_h
Variable attention_mix(const Variable& p, const Variable& v, std::size_t heads);

// ---- tokens (ops_tokens.cpp) ----
// (B, C, H, W) or (B, C, N) -> (B, H*W or N, C): one token per position, its channels as features.
Variable channels_to_tokens(const Variable& x);
// x (B, T, D), token (D) -> (B, T + 1, D) with token first in every sample.
Variable prepend_token(const Variable& x, const Variable& token);
// x (B, ...) + p (...) for every sample b (learned positions): one pass, no broadcasting.
Variable add_to_each_sample(const Variable& x, const Variable& p);
// (B, T, D) -> (B, D): token 0 of each sample.
Variable first_token(const Variable& x);
// (B, T, D) -> (B, D): the mean over tokens.
Variable mean_tokens(const Variable& x);

// ---- kernels the inference plan shares (infer/transformer_ops.cpp) ----
// y (rows, n) = softmax of each row of x; y may be x.
void softmax_rows(float* y, const float* x, std::size_t rows, std::size_t n);
// y (rows, D) = layer_norm of each row of x; the rows' mean and 1/std go to mean and rstd
// unless they are null.
void layer_norm_rows(float* y, const float* x, const float* gamma, const float* beta,
                     std::size_t rows, std::size_t D, float eps, float* mean, float* rstd);
// y = gelu(x) elementwise, n values.
void gelu_values(const float* x, float* y, std::size_t n);

}  // namespace poda
