// The row-grid convolution kernels (kernels/conv_rows.h) against plain double loops, on every
// kernel target this CPU runs: row counts around the blocks of four (forward) and three
// (weight gradient), tap counts around the four-column blocks, row widths around the vector
// widths (full vectors only, a partial one, partial only), one and two samples, written and
// accumulated; nothing written outside the grid's positions.
#include <doctest/doctest.h>

#include <vector>

#include "kernels/conv_rows.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::random_vector;

namespace {

// A grid of `samples` x 3 rows of `width`, the input rows width + 3 apart and the samples
// 4 rows apart (taps reach up to 2 rows and 2 columns further); the outputs width + 1 apart,
// samples 5 rows apart: every gap is a position the kernels must leave alone.
RowGrid test_grid(std::size_t samples, std::size_t width) {
  const std::size_t in_row = width + 3, out_row = width + 1;
  return {samples, 3, width, 6 * in_row, in_row, 5 * out_row, out_row};
}

std::vector<std::int32_t> test_offsets(std::size_t K, std::size_t in_row) {
  std::vector<std::int32_t> off(K);
  for (std::size_t k = 0; k < K; ++k) off[k] = std::int32_t((k % 3) + (k * 7 % 3) * in_row);
  return off;
}

// Positions of the grid as (in, out) pairs.
std::vector<std::pair<std::size_t, std::size_t>> positions(const RowGrid& g) {
  std::vector<std::pair<std::size_t, std::size_t>> p;
  for (std::size_t s = 0; s < g.samples; ++s)
    for (std::size_t h = 0; h < g.height; ++h)
      for (std::size_t j = 0; j < g.width; ++j)
        p.push_back({s * g.in_sample + h * g.in_row + j, s * g.out_sample + h * g.out_row + j});
  return p;
}

}  // namespace

TEST_CASE("row-grid conv forward, every target") {
  for (std::size_t rows : {1, 2, 3, 4, 5, 7, 9})
    for (std::size_t K : {1, 5, 9})
      for (std::size_t width : {1, 3, 4, 8, 11, 16, 21, 32, 40})
        for (std::size_t samples : {1, 2}) {
          const RowGrid g = test_grid(samples, width);
          const std::vector<std::int32_t> off = test_offsets(K, g.in_row);
          const std::vector<float> x = random_vector(samples * g.in_sample + 1, K + width);
          const std::vector<float> w = random_vector(rows * K, rows);
          const std::vector<float> bias = random_vector(rows, 3);
          const std::size_t ldy = samples * g.out_sample + 2;
          const std::vector<float> old = random_vector(rows * ldy, 4);
          for (const auto& [name, fns] : poda::testing::builds_of(conv_rows_kernels()))
            for (bool accumulate : {false, true}) {
              INFO(name << ": rows " << rows << ", K " << K << ", width " << width << ", samples "
                        << samples << ", accumulate " << accumulate);
              std::vector<float> y = old;
              fns.forward(w.data(), rows, K, off.data(), bias.data(), x.data(), g, y.data(), ldy,
                          accumulate);
              std::vector<float> want = old;  // positions off the grid keep their values
              for (std::size_t r = 0; r < rows; ++r)
                for (const auto& [in, out] : positions(g)) {
                  double e = bias[r] + (accumulate ? old[r * ldy + out] : 0.0);
                  for (std::size_t k = 0; k < K; ++k)
                    e += double(w[r * K + k]) * x[std::size_t(off[k]) + in];
                  want[r * ldy + out] = float(e);
                }
              for (std::size_t i = 0; i < y.size(); ++i) {
                CAPTURE(i);
                CHECK(y[i] == doctest::Approx(want[i]).epsilon(1e-5));
              }
            }
        }
}

TEST_CASE("row-grid conv weight gradient, every target") {
  for (std::size_t rows : {1, 2, 3, 4, 5, 7, 10})
    for (std::size_t K : {1, 2, 3, 4, 5, 6, 9, 13})
      for (std::size_t width : {1, 3, 4, 8, 11, 16, 21, 32, 40})
        for (std::size_t samples : {1, 2}) {
          const RowGrid g = test_grid(samples, width);
          const std::vector<std::int32_t> off = test_offsets(K, g.in_row);
          const std::vector<float> x = random_vector(samples * g.in_sample + 1, K + width);
          const std::size_t ldd = samples * g.out_sample + 2;
          // NaN off the grid: a kernel that reads there fails
          std::vector<float> dy(rows * ldd, __builtin_nanf(""));
          const std::vector<float> vals = random_vector(rows * ldd, rows + width);
          for (std::size_t o = 0; o < rows; ++o)
            for (const auto& p : positions(g)) dy[o * ldd + p.second] = vals[o * ldd + p.second];
          const std::vector<float> old = random_vector(rows * K + 1, 5);
          for (const auto& [name, fns] : poda::testing::builds_of(conv_rows_kernels()))
            for (bool accumulate : {false, true}) {
              INFO(name << ": rows " << rows << ", K " << K << ", width " << width << ", samples "
                        << samples << ", accumulate " << accumulate);
              std::vector<float> dw = old;
              fns.weight_grad(dy.data(), rows, ldd, x.data(), off.data(), K, g, dw.data(),
                              accumulate);
              for (std::size_t o = 0; o < rows; ++o)
                for (std::size_t k = 0; k < K; ++k) {
                  double e = accumulate ? old[o * K + k] : 0.0;
                  for (const auto& [in, out] : positions(g))
                    e += double(dy[o * ldd + out]) * x[std::size_t(off[k]) + in];
                  CHECK(dw[o * K + k] == doctest::Approx(e).epsilon(1e-5));
                }
              CHECK(dw[rows * K] == old[rows * K]);  // nothing written past dw
            }
        }
}
