// The shifted dot products (kernels/shifted_dots.h: a stride-1 convolution's weight gradient on
// the wide-row layout) against plain double loops, on every kernel target this CPU runs:
// every row count around the three-row blocks, column counts around the four-column
// blocks, every tail of L, written and accumulated.
#include <doctest/doctest.h>

#include <vector>

#include "kernels/shifted_dots.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::random_vector;

TEST_CASE("shifted dots (direct weight gradient), every target") {
  for (std::size_t rows : {1, 2, 3, 4, 5, 7, 10, 16})
    for (std::size_t K : {1, 2, 3, 4, 5, 6, 9, 13})
      for (std::size_t L : {1, 7, 8, 9, 16, 17, 33, 50}) {
        const std::size_t ldd = L + 2;
        const std::vector<float> dy = random_vector(rows * ldd, rows + L);
        std::vector<std::int32_t> offset(K);
        for (std::size_t k = 0; k < K; ++k) offset[k] = std::int32_t((k * 29) % 61);
        const std::vector<float> x = random_vector(61 + L, K + 3);  // nothing read past it
        const std::vector<float> old = random_vector(rows * K + 1, 5);
        for (const auto& [name, fns] : poda::testing::builds_of(shifted_dots_kernels()))
          for (bool accumulate : {false, true}) {
            CAPTURE(name);
            CAPTURE(rows);
            CAPTURE(K);
            CAPTURE(L);
            CAPTURE(accumulate);
            std::vector<float> dw = old;
            fns.shifted_dots(dy.data(), rows, ldd, x.data(), offset.data(), K, L, dw.data(),
                             accumulate);
            for (std::size_t o = 0; o < rows; ++o)
              for (std::size_t k = 0; k < K; ++k) {
                double e = accumulate ? old[o * K + k] : 0.0;
                for (std::size_t q = 0; q < L; ++q)
                  e += double(dy[o * ldd + q]) * x[std::size_t(offset[k]) + q];
                CHECK(dw[o * K + k] == doctest::Approx(e).epsilon(1e-5));
              }
            CHECK(dw[rows * K] == old[rows * K]);  // nothing written past dw
          }
      }
}
