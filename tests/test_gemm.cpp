#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "core/blas_runtime.h"
#include "core/gemm.h"

namespace {

std::vector<float> random_matrix(std::size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Checks C (ldc) against alpha * op(A) * op(B) + beta * C0 summed in double.
// The tolerance is float's worst-case rounding bound, relative to sum |terms|.
void check_against_naive(bool ta, bool tb, std::size_t M, std::size_t N, std::size_t K, float alpha,
                         const std::vector<float>& A, std::size_t lda, const std::vector<float>& B,
                         std::size_t ldb, float beta, const std::vector<float>& C0,
                         const std::vector<float>& C, std::size_t ldc) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      double sum = 0.0, magnitude = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        const double a = ta ? A[k * lda + i] : A[i * lda + k];
        const double b = tb ? B[j * ldb + k] : B[k * ldb + j];
        sum += a * b;
        magnitude += std::abs(a * b);
      }
      double expected = alpha * sum;
      magnitude = std::abs(alpha) * magnitude;
      if (beta != 0.0f) {
        expected += beta * static_cast<double>(C0[i * ldc + j]);
        magnitude += std::abs(beta * static_cast<double>(C0[i * ldc + j]));
      }
      const double got = C[i * ldc + j];
      // Worst-case float rounding: K + 2 operations, each off by float epsilon 2^-23.
      const double tol = 2.0 * 0x1p-24 * static_cast<double>(K + 2) * magnitude + 1e-30;
      if (!(std::abs(got - expected) <= tol) && bad++ < 3) {
        CAPTURE(i);
        CAPTURE(j);
        CAPTURE(got);
        CAPTURE(expected);
        CAPTURE(tol);
        FAIL_CHECK("gemm element differs from the naive reference");
      }
    }
  CHECK(bad == 0);
}

struct Dims {
  std::size_t M, N, K;
};

}  // namespace

TEST_CASE("gemm matches a naive double-precision reference for every transpose") {
  MESSAGE("BLAS core: " << poda::blas_core_name() << ", threads: " << poda::blas_threads());
  const Dims dims[] = {{1, 1, 1},      {7, 1, 63},     {1, 65, 7},     {63, 65, 7},
                       {65, 63, 300},  {300, 7, 65},   {7, 300, 1},    {64, 300, 784},
                       {300, 784, 64}, {64, 784, 300}, {129, 17, 1000}};
  struct Scale {
    float alpha, beta;
  };
  const Scale scales[] = {{1.0f, 0.0f}, {0.5f, 1.0f}, {-2.0f, 0.25f}};
  std::mt19937 rng(1234);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      SUBCASE((std::string(ta ? "T" : "N") + (tb ? "T" : "N")).c_str()) {
        for (const Dims& d : dims)
          for (const Scale& s : scales) {
            CAPTURE(d.M);
            CAPTURE(d.N);
            CAPTURE(d.K);
            CAPTURE(s.alpha);
            CAPTURE(s.beta);
            const auto A = random_matrix(d.M * d.K, rng);
            const auto B = random_matrix(d.K * d.N, rng);
            // beta == 0 must ignore C entirely, NaN included.
            const auto C0 = s.beta == 0.0f ? std::vector<float>(
                                                 d.M * d.N, std::numeric_limits<float>::quiet_NaN())
                                           : random_matrix(d.M * d.N, rng);
            auto C = C0;
            poda::gemm(ta, tb, d.M, d.N, d.K, s.alpha, A.data(), B.data(), s.beta, C.data());
            check_against_naive(ta, tb, d.M, d.N, d.K, s.alpha, A, ta ? d.M : d.K, B,
                                tb ? d.K : d.N, s.beta, C0, C, d.N);
          }
      }
}

TEST_CASE("gemm with K == 0 scales C by beta") {
  std::vector<float> C = {1.0f, -2.0f, 3.0f, 4.0f, 5.0f, 6.0f};  // (2, 3)
  const float dummy = 0.0f;
  poda::gemm(false, false, 2, 3, 0, 1.0f, &dummy, &dummy, 0.5f, C.data());
  CHECK(C == std::vector<float>{0.5f, -1.0f, 1.5f, 2.0f, 2.5f, 3.0f});
}

TEST_CASE("gemm with leading dims works on blocks and leaves the rest untouched") {
  // op(A) (5,4) is the top-left block of a stored (6,9) matrix; B^T block of
  // (7,11); C is a (5,3) block of a (5,8) buffer.
  const std::size_t M = 5, N = 3, K = 4, lda = 9, ldb = 11, ldc = 8;
  std::mt19937 rng(7);
  const auto A = random_matrix(6 * lda, rng);
  const auto B = random_matrix(7 * ldb, rng);
  const auto C0 = random_matrix(M * ldc, rng);
  auto C = C0;
  SUBCASE("NT") {
    poda::gemm(false, true, M, N, K, 1.5f, A.data(), lda, B.data(), ldb, -1.0f, C.data(), ldc);
    check_against_naive(false, true, M, N, K, 1.5f, A, lda, B, ldb, -1.0f, C0, C, ldc);
  }
  SUBCASE("TN") {
    poda::gemm(true, false, M, N, K, 1.5f, A.data(), lda, B.data(), ldb, -1.0f, C.data(), ldc);
    check_against_naive(true, false, M, N, K, 1.5f, A, lda, B, ldb, -1.0f, C0, C, ldc);
  }
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = N; j < ldc; ++j) {
      CAPTURE(i);
      CAPTURE(j);
      CHECK(C[i * ldc + j] == C0[i * ldc + j]);
    }
}

TEST_CASE("gemm rejects leading dims shorter than the stored rows") {
  const std::vector<float> buf(64, 1.0f);
  std::vector<float> out(64, 0.0f);
  CHECK_THROWS_AS(
      poda::gemm(false, false, 2, 3, 4, 1.0f, buf.data(), 3, buf.data(), 3, 0.0f, out.data(), 3),
      std::invalid_argument);  // lda 3 < K 4
  CHECK_THROWS_AS(
      poda::gemm(false, true, 2, 3, 4, 1.0f, buf.data(), 4, buf.data(), 3, 0.0f, out.data(), 3),
      std::invalid_argument);  // ldb 3 < K 4 (B stored (N,K))
  CHECK_THROWS_AS(
      poda::gemm(true, false, 2, 3, 4, 1.0f, buf.data(), 2, buf.data(), 3, 0.0f, out.data(), 2),
      std::invalid_argument);  // ldc 2 < N 3
  CHECK_NOTHROW(
      poda::gemm(true, false, 2, 3, 4, 1.0f, buf.data(), 2, buf.data(), 3, 0.0f, out.data(), 3));
  CHECK(out[0] == 4.0f);
}
