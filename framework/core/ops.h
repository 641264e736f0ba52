#pragma once
// Differentiable ops on Variables. Each op's forward and backward live side by side in
// one .cpp of its family: ops_linear, ops_elementwise, ops_reduce, ops_loss, ops_shape.
#include <vector>

#include "core/random.h"
#include "kernels/conv_geometry.h"
#include "core/variable.h"

namespace poda {

// ---- linear algebra (ops_linear.cpp) ----
// a (M, K) @ b (K, N) -> (M, N)
Variable matmul(const Variable& a, const Variable& b);
// x (B, in), weight (out, in), bias (out) or undefined -> x weight^T + bias (B, out)
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);

// ---- convolution (ops_conv.cpp) ----
// Conv2dOptions and conv_out_size: kernels/conv_geometry.h
// x (B, C_in, H, W), weight (C_out, C_in/groups, kH, kW), bias (C_out) or undefined
//   -> (B, C_out, H_out, W_out). Output channel o of group g = o / (C_out/groups) reads
//   input channels [g*C_in/groups, (g+1)*C_in/groups).
Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const Conv2dOptions& options);
// relu(conv2d(...)) in one pass over the output each way (Conv2d followed by ReLU).
Variable conv2d_relu(const Variable& x, const Variable& weight, const Variable& bias,
                     const Conv2dOptions& options);
// How conv2d lays out its GEMMs: automatic picks per convolution and BLAS core (see
// ops_conv.cpp); the others force one way, for tests and benchmarks. Process-wide.
enum class ConvBatching { automatic, per_sample, batched };
void set_conv_batching(ConvBatching mode);
// Which kernels conv2d runs: automatic takes the im2col-free direct kernels for stride-1
// convs (conv_direct.h) and im2col + GEMM for the rest; im2col forces im2col + GEMM
// everywhere, for tests and benchmarks. Process-wide.
enum class ConvAlgorithm { automatic, im2col };
void set_conv_algorithm(ConvAlgorithm algorithm);

// ---- pooling (ops_pool.cpp): windows of kernel x kernel, same stride and padding on H, W ----
// (B, C, H, W) -> (B, C, H_out, W_out); padding never wins the max.
Variable max_pool2d(const Variable& x, std::size_t kernel, std::size_t stride, std::size_t padding);
// Padding counts as zeros in the average (PyTorch's count_include_pad=true).
Variable avg_pool2d(const Variable& x, std::size_t kernel, std::size_t stride, std::size_t padding);
// (B, C, H, W) -> (B, C)
Variable global_avg_pool(const Variable& x);

// ---- normalisation (ops_norm.cpp) ----
// x (B, C) or (B, C, H, W); gamma, beta (C). Training: normalises with the batch's biased
// variance and updates the running statistics (running = (1-momentum) running + momentum
// batch, with the unbiased variance, as PyTorch does). Evaluation: uses the running ones.
Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    Array& running_mean, Array& running_var, bool training, float momentum,
                    float eps);
// max(0, batch_norm(...)) in one pass forward and backward, same arguments: the ReLU's mask
// is recomputed from x in backward, so no extra activation is kept.
Variable batch_norm_relu(const Variable& x, const Variable& gamma, const Variable& beta,
                         Array& running_mean, Array& running_var, bool training, float momentum,
                         float eps);

// ---- dropout (ops_dropout.cpp) ----
// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
Variable dropout(const Variable& x, float p, Rng& rng);

// ---- elementwise, with broadcasting for binary ops (ops_elementwise.cpp) ----
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable scale(const Variable& x, float factor);
Variable relu(const Variable& x);
Variable tanh(const Variable& x);
Variable sigmoid(const Variable& x);

// ---- reductions (ops_reduce.cpp) ----
Variable sum(const Variable& x);   // -> shape (1)
Variable mean(const Variable& x);  // -> shape (1)

// ---- loss (ops_loss.cpp) ----
// Fused log-softmax + negative log-likelihood, averaged over the batch.
// logits (B, C), labels B values in [0, C) -> shape (1)
Variable cross_entropy(const Variable& logits, const std::vector<int>& labels);

// ---- shape (ops_shape.cpp) ----
Variable reshape(const Variable& x, const Shape& shape);
Variable flatten(const Variable& x);  // (B, ...) -> (B, prod(...))

// Sums a broadcast gradient back to the shape of the input it came from.
Array reduce_to_shape(const Array& grad, const Shape& shape);

}  // namespace poda
