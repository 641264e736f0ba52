#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "int8_reference.h"
#include "quantize/int8_linear.h"

using namespace poda;
using namespace poda::testing;

namespace {

struct Problem {
  std::size_t B = 13, in = 70, out = 37;
  std::vector<float> x, w, bias;
};

Problem make_problem(double sparsity) {
  Problem p;
  std::mt19937 rng(4);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::size_t i = 0; i < p.B * p.in; ++i) p.x.push_back(d(rng));
  for (std::size_t i = 0; i < p.out * p.in; ++i)
    p.w.push_back(u(rng) < sparsity ? 0.0f : 0.1f * d(rng));
  for (std::size_t i = 0; i < p.out; ++i) p.bias.push_back(d(rng));
  return p;
}

}  // namespace

TEST_CASE("int8_linear_forward: close to fp32, within the quantization error bound") {
  const Problem p = make_problem(0.9);
  const QuantGrid grid = activation_grid(-4.0f, 4.0f);  // covers every x of N(0, 1) here
  for (bool sparse : {false, true}) {
    for (KernelIsa isa : kernel_isas()) {
      IsaScope scope(isa);
      CAPTURE(sparse);
      const Int8Linear layer =
          make_int8_linear(p.w.data(), p.out, p.in, p.bias, grid, sparse, false);
      std::vector<float> y(p.B * p.out);
      int8_linear_forward(layer, p.x.data(), p.B, y.data());
      for (std::size_t m = 0; m < p.B; ++m)
        for (std::size_t n = 0; n < p.out; ++n) {
          double exact = p.bias[n], bound = 1e-4;
          const double ex = grid.scale[0] / 2, ew = layer.weight_grid.scale[n] / 2;
          for (std::size_t k = 0; k < p.in; ++k) {
            const double xv = p.x[m * p.in + k], wv = p.w[n * p.in + k];
            exact += xv * wv;
            if (wv != 0.0) bound += std::fabs(xv) * ew + std::fabs(wv) * ex + ex * ew;
          }
          CHECK(std::fabs(y[m * p.out + n] - exact) <= bound);
        }
    }
  }
}

TEST_CASE("int8_linear_forward: sparse and dense, VNNI and scalar give identical floats") {
  const Problem p = make_problem(0.9);
  const QuantGrid grid = activation_grid(-1.0f, 3.0f);  // clamps some inputs, non-zero z
  std::vector<std::vector<float>> outputs;
  for (bool sparse : {false, true})
    for (KernelIsa isa : kernel_isas()) {
      IsaScope scope(isa);
      const Int8Linear layer =
          make_int8_linear(p.w.data(), p.out, p.in, p.bias, grid, sparse, true);
      outputs.emplace_back(p.B * p.out);
      int8_linear_forward(layer, p.x.data(), p.B, outputs.back().data());
    }
  for (const auto& y : outputs) CHECK(y == outputs.front());
  for (float v : outputs.front()) CHECK(v >= 0.0f);  // relu fused
}

TEST_CASE("make_int8_linear: bad bias or input grid is refused") {
  const Problem p = make_problem(0.5);
  const QuantGrid grid = activation_grid(-1.0f, 1.0f);
  CHECK_THROWS_AS(make_int8_linear(p.w.data(), p.out, p.in, {1.0f}, grid, false, false),
                  std::invalid_argument);
  const QuantGrid weights = weight_grid(p.w.data(), p.out, p.in);
  CHECK_THROWS_AS(make_int8_linear(p.w.data(), p.out, p.in, p.bias, weights, false, false),
                  std::invalid_argument);
}
