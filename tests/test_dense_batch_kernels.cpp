// The batched Dense kernel against a plain double-precision loop, on every kernel target this
// CPU runs: output counts around and across the panels (1, 7, 300, 301), input counts that
// leave one block or several (1, 3, 784), batches with every column tail (2, 17, 64, 100),
// with and without bias and ReLU.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/dense_batch_kernels.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::kernel_isas;
using poda::testing::random_vector;

TEST_CASE("dense batch kernel: packed weights, every shape tail, every target") {
  for (std::size_t out : {1, 7, 300, 301})
    for (std::size_t in : {1, 3, 784})
      for (std::size_t B : {2, 17, 64, 100}) {
        const std::vector<float> w = random_vector(out * in, out + in);
        const std::vector<float> bias = random_vector(out, 11);
        const std::vector<float> x = random_vector(in * B, B);  // (in, B)
        for (bool with_bias : {false, true}) {
          // the pre-activation in double and the scale of its rounding error, Σ |w x|
          std::vector<double> z(out * B), scale(out * B);
          for (std::size_t o = 0; o < out; ++o)
            for (std::size_t b = 0; b < B; ++b) {
              double s = with_bias ? bias[o] : 0.0, a = with_bias ? std::abs(bias[o]) : 0.0;
              for (std::size_t i = 0; i < in; ++i) {
                s += double(w[o * in + i]) * x[i * B + b];
                a += std::abs(double(w[o * in + i]) * x[i * B + b]);
              }
              z[o * B + b] = s;
              scale[o * B + b] = a;
            }
          for (KernelIsa isa : kernel_isas()) {
            const PackedDense packed =
                pack_dense(w.data(), out, in, with_bias ? bias.data() : nullptr, isa);
            CHECK(packed.panel_rows == dense_batch_kernels().at(isa).panel_rows);
            for (bool relu : {false, true}) {
              CAPTURE(kernel_isa_name(isa));
              CAPTURE(out);
              CAPTURE(in);
              CAPTURE(B);
              CAPTURE(with_bias);
              CAPTURE(relu);
              std::vector<float> y(out * B + 1, -7.0f);
              dense_batch(packed, x.data(), B, y.data(), relu);
              std::size_t wrong = 0;
              for (std::size_t j = 0; j < out * B; ++j) {
                const double expected = relu ? std::max(z[j], 0.0) : z[j];
                if (!(std::abs(y[j] - expected) <= 1e-5 * scale[j] + 1e-6)) ++wrong;
              }
              CHECK(wrong == 0);
              CHECK(y[out * B] == -7.0f);  // nothing written past y
            }
          }
        }
      }
}

TEST_CASE("dense batch kernel: a layer without inputs is its bias") {
  const std::vector<float> bias{1.5f, -2.0f, 0.25f};
  for (KernelIsa isa : kernel_isas()) {
    CAPTURE(kernel_isa_name(isa));
    const PackedDense packed = pack_dense(nullptr, 3, 0, bias.data(), isa);
    std::vector<float> x(5, 3.0f), y(3 * 5, -7.0f);  // x (0, 5): never read
    dense_batch(packed, x.data(), 5, y.data(), true);
    for (std::size_t o = 0; o < 3; ++o)
      for (std::size_t b = 0; b < 5; ++b) CHECK(y[o * 5 + b] == std::max(bias[o], 0.0f));
  }
}
