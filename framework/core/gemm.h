#pragma once
// The one GEMM every matmul in poda goes through.
// Transposes are flags handed to BLAS, never materialised copies.
#include <cstddef>

namespace poda {

// C(M,N) = alpha * op(A)(M,K) * op(B)(K,N) + beta * C(M,N), all row-major.
//   A is stored (M,K), or (K,M) when trans_a;
//   B is stored (K,N), or (N,K) when trans_b;
//   leading dims are the row lengths of the stored matrices.
// With beta == 0, C is only written, so it may hold garbage (even NaN).
// Throws std::invalid_argument if a dimension does not fit BLAS's int.
void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
          const float* A, const float* B, float beta, float* C);

// Same, with explicit leading dims (row strides), for blocks of larger
// matrices: lda >= stored row length of A (K, or M when trans_a), ldb likewise
// (N, or K when trans_b), ldc >= N. Throws std::invalid_argument otherwise.
void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
          const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
          std::size_t ldc);

}  // namespace poda
