#pragma once
#include <cstddef>

namespace poda {

// The one GEMM every matmul goes through (row-major, over cblas_sgemm):
//   C(M, N) = alpha * op(A)(M, K) * op(B)(K, N) + beta * C
// op(X) is X or X^T as the flag says; A is stored (M, K) or (K, M), B (K, N) or (N, K).
// beta == 0 means C may be uninitialised.
void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
          const float* A, const float* B, float beta, float* C);

}  // namespace poda
