// The direct (dense-weight) kernels against plain double-precision loops, on every kernel
// target this CPU runs: every row count around the four-row blocks, taps shared across
// groups or not, every tail of L, matrix-vector products with and without ReLU, and the
// 2x2 max pooling that ends a convolution.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/direct_kernels.h"
#include "kernels/sparse_kernels.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::check_matvec;
using poda::testing::random_vector;

namespace {

std::vector<std::pair<const char*, DirectKernels>> builds() {
  return poda::testing::builds_of(direct_kernels());
}

}  // namespace

TEST_CASE("direct kernels: shifted dense rows (direct convolution), every target") {
  const std::size_t K = 13;
  for (std::size_t rows : {1, 2, 3, 4, 5, 7, 8, 9, 16}) {
    const std::vector<float> w = random_vector(rows * K, rows), bias = random_vector(rows, 6);
    std::vector<std::int32_t> col_offset(K);
    for (std::size_t k = 0; k < K; ++k) col_offset[k] = std::int32_t((k * 37) % 101);
    // groups of three rows read from their own base, so four-row blocks straddle groups
    std::vector<std::int32_t> row_base(rows);
    for (std::size_t r = 0; r < rows; ++r) row_base[r] = std::int32_t(r / 3 * 5);
    for (std::size_t L : {1, 7, 8, 9, 16, 17, 23, 24, 25, 33, 47, 48, 49, 63, 64, 65, 130, 200}) {
      const std::vector<float> x = random_vector(101 + 5 * rows + L, 7);
      for (const auto& [name, fns] : builds())
        for (const std::int32_t* base : {static_cast<const std::int32_t*>(nullptr),
                                         static_cast<const std::int32_t*>(row_base.data())}) {
          CAPTURE(name);
          CAPTURE(rows);
          CAPTURE(L);
          CAPTURE(base != nullptr);
          const std::size_t ldy = L + 3;
          std::vector<float> y(rows * ldy, -7.0f);
          fns.dense_rows_shifted(w.data(), rows, K, col_offset.data(), base, bias.data(), x.data(), L, y.data(),
                    ldy);
          for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t p = 0; p < ldy; ++p) {
              double expected = bias[r];
              const std::size_t b = base ? std::size_t(base[r]) : 0;
              for (std::size_t k = 0; k < K; ++k)
                expected += double(w[r * K + k]) * x[b + col_offset[k] + p];
              if (p >= L) expected = -7.0;  // past L: untouched
              CHECK(y[r * ldy + p] == doctest::Approx(expected).epsilon(1e-5));
            }
        }
    }
  }
}

TEST_CASE("direct kernels: dense matrix-vector product with and without ReLU, every target") {
  for (std::size_t rows : {1, 3, 4, 5, 9, 150})
    for (std::size_t cols : {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 784}) {
      const std::vector<float> w = random_vector(rows * cols, rows + cols),
                               x = random_vector(cols, 3), bias = random_vector(rows, 4);
      for (const auto& [name, fns] : builds())
        for (bool relu : {false, true}) {
          CAPTURE(name);
          CAPTURE(rows);
          CAPTURE(cols);
          CAPTURE(relu);
          std::vector<float> y(rows + 1, -7.0f);
          fns.dense_matvec(w.data(), rows, cols, bias.data(), x.data(), y.data(), relu);
          check_matvec(
              y, rows, cols, [&](std::size_t r, std::size_t c) { return w[r * cols + c]; }, bias, x,
              relu);
        }
    }
}

TEST_CASE("direct kernels: 2x2 max pooling with a floor, every target") {
  const float none = -std::numeric_limits<float>::infinity();
  for (std::size_t pw : {1, 5, 8, 9, 14, 16, 17, 31, 32, 33})
    for (std::size_t ph : {1, 4, 5}) {
      const std::size_t planes = 3, row_stride = 2 * pw + 3,
                        plane_stride = (2 * ph + 1) * row_stride;
      const std::vector<float> x = random_vector(planes * plane_stride, pw * 10 + ph);
      for (const auto& [name, fns] : builds())
        for (float floor : {0.0f, none}) {
          CAPTURE(name);
          CAPTURE(pw);
          CAPTURE(ph);
          CAPTURE(floor);
          std::vector<float> y(planes * ph * pw + 1, -7.0f);
          fns.max_pool2x2(x.data(), row_stride, plane_stride, planes, ph, pw, floor, y.data());
          bool same = true;
          for (std::size_t c = 0; c < planes; ++c)
            for (std::size_t i = 0; i < ph; ++i)
              for (std::size_t j = 0; j < pw; ++j) {
                const float* r0 = &x[c * plane_stride + 2 * i * row_stride + 2 * j];
                const float* r1 = r0 + row_stride;
                const float expected = std::max({floor, r0[0], r0[1], r1[0], r1[1]});
                same = same && y[(c * ph + i) * pw + j] == expected;
              }
          CHECK(same);
          CHECK(y.back() == -7.0f);
        }
    }
}
