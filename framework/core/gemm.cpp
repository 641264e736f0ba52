#include "core/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

#include "core/profile.h"

namespace poda {

namespace {

int to_blas_int(std::size_t v, const char* what) {
  if (v > static_cast<std::size_t>(INT_MAX))
    throw std::invalid_argument(std::string("gemm: ") + what + " = " + std::to_string(v) +
                                " exceeds BLAS's int range");
  return static_cast<int>(v);
}

void check_ld(std::size_t ld, std::size_t row_length, const char* name) {
  if (ld < row_length)
    throw std::invalid_argument(std::string("gemm: ") + name + " = " + std::to_string(ld) +
                                " is smaller than the stored row length " +
                                std::to_string(row_length));
}

}  // namespace

void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
          const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
          std::size_t ldc) {
  check_ld(lda, trans_a ? M : K, "lda");
  check_ld(ldb, trans_b ? K : N, "ldb");
  check_ld(ldc, N, "ldc");
  if (M == 0 || N == 0) return;
  ProfileScope scope(ProfileOp::gemm);
  // BLAS rejects a leading dim of 0 even when that matrix is empty (K == 0).
  lda = std::max<std::size_t>(lda, 1);
  ldb = std::max<std::size_t>(ldb, 1);
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, to_blas_int(M, "M"), to_blas_int(N, "N"),
              to_blas_int(K, "K"), alpha, A, to_blas_int(lda, "lda"), B, to_blas_int(ldb, "ldb"),
              beta, C, to_blas_int(ldc, "ldc"));
}

void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
          const float* A, const float* B, float beta, float* C) {
  gemm(trans_a, trans_b, M, N, K, alpha, A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N);
}

}  // namespace poda
