#pragma once
// Differentiable ops on Variables. Each op's forward and backward live side by side in
// one .cpp of its family: ops_linear, ops_elementwise, ops_reduce, ops_loss, ops_shape.
#include <vector>

#include "core/variable.h"

namespace poda {

// ---- linear algebra (ops_linear.cpp) ----
// a (M, K) @ b (K, N) -> (M, N)
Variable matmul(const Variable& a, const Variable& b);
// x (B, in), weight (out, in), bias (out) or undefined -> x weight^T + bias (B, out)
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);

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
