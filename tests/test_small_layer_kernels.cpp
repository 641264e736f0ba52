// The small-layer kernels against double-precision loops, on every kernel target this CPU
// runs. The few-filter convolution: kernels 3 and 5, one to three filters and channels,
// maps whose heights split unevenly into row blocks and whose widths leave partial vectors;
// the junk columns of each wide output row stay untouched. The narrow matrix-vector
// product: 1 to 32 outputs, inputs around the four-input steps, with and without ReLU.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "kernels/small_layer_kernels.h"
#include "kernels/sparse_kernels.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::check_matvec;
using poda::testing::random_vector;

namespace {

std::vector<std::pair<const char*, SmallLayerKernels>> builds() {
  return poda::testing::builds_of(small_layer_kernels());
}

}  // namespace

TEST_CASE("few-filter convolution: every shape around the row blocks and vector widths") {
  const float untouched = -7.0f;
  for (std::size_t k : {3, 5})
    for (std::size_t filters : {1, 2, 3})
      for (std::size_t c_in : {1, 3})
        for (std::size_t oh : {1, 5, 6, 7, 8, 9, 11, 17, 28})
          for (std::size_t ow : {1, 7, 8, 9, 10, 16, 17, 28, 33}) {
            const std::size_t wp = ow + k - 1, plane = (oh + k - 1) * wp;
            const std::size_t y_plane = oh * wp + 2;  // planes apart by more than a map
            const std::vector<float> w = random_vector(filters * c_in * k * k, k + filters),
                                     bias = random_vector(filters, c_in),
                                     xp = random_vector(c_in * plane, oh * 100 + ow);
            for (const auto& [name, fns] : builds()) {
              CAPTURE(name);
              CAPTURE(k);
              CAPTURE(filters);
              CAPTURE(c_in);
              CAPTURE(oh);
              CAPTURE(ow);
              std::vector<float> y(filters * y_plane, untouched);
              fns.conv_few_filters(w.data(), filters, c_in, k, bias.data(), xp.data(), oh, ow, y.data(),
                        y_plane);
              for (std::size_t f = 0; f < filters; ++f)
                for (std::size_t i = 0; i < oh; ++i)
                  for (std::size_t j = 0; j < wp; ++j) {
                    double expected = bias[f];
                    for (std::size_t c = 0; c < c_in; ++c)
                      for (std::size_t kh = 0; kh < k; ++kh)
                        for (std::size_t kw = 0; kw < k; ++kw)
                          if (j < ow)
                            expected += double(w[((f * c_in + c) * k + kh) * k + kw]) *
                                        xp[c * plane + (i + kh) * wp + j + kw];
                    if (j >= ow) expected = untouched;
                    CHECK(y[f * y_plane + i * wp + j] == doctest::Approx(expected).epsilon(1e-5));
                  }
            }
          }
}

TEST_CASE("narrow matrix-vector product: 1 to 32 outputs, with and without ReLU") {
  for (std::size_t rows : {1, 5, 7, 8, 9, 16, 17, 24, 25, 30, 32})
    for (std::size_t cols : {1, 3, 4, 5, 21, 100}) {
      const std::vector<float> wt = random_vector(cols * rows, rows + cols),
                               x = random_vector(cols, 3), bias = random_vector(rows, 4);
      for (const auto& [name, fns] : builds())
        for (bool relu : {false, true}) {
          CAPTURE(name);
          CAPTURE(rows);
          CAPTURE(cols);
          CAPTURE(relu);
          std::vector<float> y(rows + 1, -7.0f);
          fns.matvec_narrow(wt.data(), rows, cols, bias.data(), x.data(), y.data(), relu);
          check_matvec(
              y, rows, cols, [&](std::size_t r, std::size_t c) { return wt[c * rows + r]; }, bias,
              x, relu);
        }
    }
}
