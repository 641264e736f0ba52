#include <doctest/doctest.h>

#include <random>
#include <string>
#include <stdexcept>
#include <vector>

#include "kernels/int8_kernels.h"
#include "kernels/gemm_int8.h"
#include "kernels/sparse_int8.h"
#include "int8_reference.h"

using namespace poda;
using namespace poda::testing;

namespace {

struct Case {
  std::size_t M, N, K;
};

// Shapes with every tail: M not a multiple of 4 or 16, N not of 16 or 64, K not of 4, and
// LeNet-300-100's layers at batch 64.
const std::vector<Case> kCases = {{1, 1, 1},      {3, 5, 7},     {4, 16, 4},
                                  {5, 17, 9},     {17, 70, 33},  {64, 300, 784},
                                  {64, 100, 300}, {64, 10, 100}, {7, 129, 130}};

std::size_t mismatches(const std::vector<std::int32_t>& got, std::size_t ldc, std::size_t M,
                       std::size_t N, const std::vector<std::int64_t>& want) {
  std::size_t bad = 0;
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t n = 0; n < N; ++n) bad += got[m * ldc + n] != want[m * N + n];
  return bad;
}

}  // namespace

TEST_CASE("gemm_u8s8: every path equals the integer reference exactly") {
  std::mt19937 rng(7);
  for (KernelIsa isa : kernel_isas()) {  // through the public entry, on each target
    IsaScope scope(isa);
    for (const Case& c : kCases) {
      CAPTURE(kernel_isa_name(isa));
      CAPTURE(c.M);
      CAPTURE(c.N);
      CAPTURE(c.K);
      const auto A = random_u8(c.M * c.K, rng);
      const auto W = random_s8(c.N * c.K, rng);
      const auto packed = pack_int8_weights(W.data(), c.N, c.K);
      const std::size_t ldc = c.N + 3;  // a strided C: the padding columns stay untouched
      std::vector<std::int32_t> C(c.M * ldc, -12345);
      gemm_u8s8(c.M, A.data(), c.K, packed, C.data(), ldc);
      CHECK(mismatches(C, ldc, c.M, c.N, reference_gemm_u8s8(c.M, c.N, c.K, A, W)) == 0);
      for (std::size_t m = 0; m < c.M; ++m) CHECK(C[m * ldc + c.N] == -12345);
    }
  }
}

TEST_CASE("gemm_u8s8: every build this CPU runs equals the reference (plain AVX2 and AVX-VNNI)") {
  // Each build called directly, so a CPU with AVX-VNNI also runs the plain AVX2 kernel that
  // the table no longer picks there; strided A and C, every tile size and tail.
  std::mt19937 rng(8);
  std::vector<Case> cases = kCases;
  for (std::size_t M : {2, 6, 7, 12, 13})
    for (std::size_t N : {8, 15, 24, 33, 64, 65}) cases.push_back({M, N, 4 * M + N % 5});
  for (const Int8Kernels* build : runnable_int8_kernels()) {
    for (const Case& c : cases) {
      CAPTURE(build->name);
      CAPTURE(c.M);
      CAPTURE(c.N);
      CAPTURE(c.K);
      const std::size_t lda = c.K + 5, ldc = c.N + 2;
      const auto A = random_u8(c.M * lda, rng);
      std::vector<std::uint8_t> dense_a(c.M * c.K);
      for (std::size_t m = 0; m < c.M; ++m)
        for (std::size_t k = 0; k < c.K; ++k) dense_a[m * c.K + k] = A[m * lda + k];
      const auto W = random_s8(c.N * c.K, rng, 0.2);
      const auto packed = pack_int8_weights(W.data(), c.N, c.K);
      std::vector<std::int32_t> C(c.M * ldc, -777);
      build->gemm(c.M, A.data(), lda, packed, C.data(), ldc);
      CHECK(mismatches(C, ldc, c.M, c.N, reference_gemm_u8s8(c.M, c.N, c.K, dense_a, W)) == 0);
      for (std::size_t m = 0; m < c.M; ++m) CHECK(C[m * ldc + c.N] == -777);
    }
  }
}

TEST_CASE("gemm_u8s8: extreme values sum exactly (255 x +-127 over a long K)") {
  // Every pair, quad and block of K holds the widest products of one sign, where a kernel
  // that summed pairs in int16 (vpmaddubsw) would saturate; K is odd, so the padding too.
  const std::size_t M = 5, N = 20, K = 4099;
  const std::vector<std::uint8_t> A(M * K, 255);
  for (int w : {127, -127}) {
    CAPTURE(w);
    const std::vector<std::int8_t> W(N * K, static_cast<std::int8_t>(w));
    const auto packed = pack_int8_weights(W.data(), N, K);
    for (const Int8Kernels* build : runnable_int8_kernels()) {
      CAPTURE(build->name);
      std::vector<std::int32_t> C(M * N);
      build->gemm(M, A.data(), K, packed, C.data(), N);
      for (std::int32_t v : C) CHECK(v == 255 * w * static_cast<std::int32_t>(K));
    }
  }
}

TEST_CASE("pack_int8_weights: row sums, and K too long for int32 is refused") {
  std::vector<std::int8_t> W = {1, -2, 3, 4, 5, -6};  // (2, 3)
  const auto packed = pack_int8_weights(W.data(), 2, 3);
  CHECK(packed.row_sum == std::vector<std::int32_t>{2, 3});
  CHECK(packed.data.size() == 16 * 4);
  std::vector<std::int8_t> long_row(70000, 1);
  CHECK_THROWS_AS(pack_int8_weights(long_row.data(), 1, 70000), std::invalid_argument);
}

TEST_CASE("int8 kernels: each target runs its own path; AVX-512 without VNNI runs AVX2's") {
  // The builds the tests run: scalar always, each x86 one exactly where the CPU has it.
  std::vector<std::string> names;
  for (const Int8Kernels* build : runnable_int8_kernels()) names.push_back(build->name);
  std::vector<std::string> want{"scalar"};
  if (kernel_isa_runnable(KernelIsa::avx2)) want.push_back("avx2");
  if (kernel_isa_has_avx_vnni()) want.push_back("avx2-vnni");
  if (kernel_isa_has_vnni()) want.push_back("avx512-vnni");
  CHECK(names == want);
  CHECK(std::string(int8_kernels().at(KernelIsa::scalar).name) == "scalar");
  CHECK(std::string(int8_kernels().at(KernelIsa::avx2).name) ==
        (kernel_isa_has_avx_vnni() ? "avx2-vnni" : "avx2"));
  CHECK(std::string(int8_kernels().at(KernelIsa::avx512).name) ==
        (kernel_isa_has_vnni()       ? "avx512-vnni"
         : kernel_isa_has_avx_vnni() ? "avx2-vnni"
                                     : "avx2"));
  for (KernelIsa isa : kernel_isas()) {
    IsaScope scope(isa);
    CHECK(std::string(int8_kernel_name()) == int8_kernels().at(isa).name);
  }
  // The AVX2 layout is packed exactly where the AVX2 path can run.
  std::vector<std::int8_t> w(3 * 5, 1);
  CHECK(pack_int8_weights(w.data(), 3, 5).pairs.empty() == !int8_avx2_runnable());
}

TEST_CASE("sparse_gemm_u8s8: equals the integer reference at several sparsities") {
  std::mt19937 rng(11);
  for (double sparsity : {0.0, 0.5, 0.9, 0.99, 1.0}) {
    for (KernelIsa isa : kernel_isas()) {
      IsaScope scope(isa);
      for (const Case& c : kCases) {
        CAPTURE(sparsity);
        CAPTURE(kernel_isa_name(isa));
        CAPTURE(c.M);
        CAPTURE(c.N);
        CAPTURE(c.K);
        const auto A = random_u8(c.M * c.K, rng);
        const auto W = random_s8(c.N * c.K, rng, sparsity);
        const auto sparse = sparsify_int8_weights(W.data(), c.N, c.K);
        const auto dense = pack_int8_weights(W.data(), c.N, c.K);
        CHECK(sparse.row_sum == dense.row_sum);
        std::vector<std::int32_t> C(c.M * c.N, -1);
        sparse_gemm_u8s8(c.M, A.data(), c.K, sparse, C.data(), c.N);
        CHECK(mismatches(C, c.N, c.M, c.N, reference_gemm_u8s8(c.M, c.N, c.K, A, W)) == 0);
      }
    }
  }
}

TEST_CASE("sparsify_int8_weights: keeps only quads with a non-zero") {
  // (2, 9): row 0 has non-zeros in quads 0 and 2, row 1 none.
  std::vector<std::int8_t> W(18, 0);
  W[1] = 3;
  W[8] = -4;
  const auto s = sparsify_int8_weights(W.data(), 2, 9);
  CHECK(s.quads() == 3);
  CHECK(s.entries() == 2);
  CHECK(s.row_start == std::vector<std::uint32_t>{0, 2, 2});
  CHECK(s.quad == std::vector<std::uint32_t>{0, 2});
  CHECK(s.row_sum == std::vector<std::int32_t>{-1, 0});
}
