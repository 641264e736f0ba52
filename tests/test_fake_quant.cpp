#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/fake_quant.h"
#include "core/ops.h"
#include "gradcheck.h"

using namespace poda;

TEST_CASE("fake_quantize: forward equals dequantize(quantize(x))") {
  const QuantGrid g = activation_grid(-1.0f, 3.0f);
  Array x = {-2.0f, -1.0f, -0.3f, 0.0f, 0.004f, 1.234f, 2.999f, 3.5f};
  Variable y = fake_quantize(Variable(x), g);
  const float s = g.scale[0];
  const int z = g.zero_point[0];
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::uint8_t q;
    quantize_uint8(&x.data()[i], 1, s, z, &q);
    CHECK(y.data().data()[i] == (static_cast<int>(q) - z) * s);
  }
  CHECK(y.data()(3) == 0.0f);  // real 0 is on the grid
}

TEST_CASE("fake_quantize: the straight-through gradient is 1 inside the range, 0 outside") {
  const QuantGrid g = activation_grid(0.0f, 2.55f);  // s = 0.01, z = 0: range [0, 2.55]
  // Inside: values anywhere in the range (including both ends, and half-way between levels).
  // Outside: past either end by more than half a step (rounding would clamp them).
  Array x = {0.0f, 0.004f, 0.5f, 1.005f, 2.55f, 2.554f, -0.006f, -1.0f, 2.56f, 100.0f};
  const std::vector<float> expected = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
  Variable v(x, true);
  Array seed = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f, 9.f, 10.f};  // distinct upstream values
  fake_quantize(v, g).backward(seed);
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x(i));
    CHECK(v.grad()(i) == expected[i] * seed(i));
  }
}

TEST_CASE("fake_quantize: per-channel weights, the STE Jacobian is the identity") {
  // Weights use their own max |w| as the range, so nothing is clamped: dL/dw = dL/dy.
  Array w = poda::testing::random_array({3, 4}, 17);
  Variable v(w, true);
  Variable y = fake_quantize_weight(v);
  Array seed = poda::testing::random_array({3, 4}, 18);
  y.backward(seed);
  for (std::size_t i = 0; i < w.size(); ++i) CHECK(v.grad().data()[i] == seed.data()[i]);
  // Each channel is on its own grid: |y - w| <= half of that channel's step.
  const QuantGrid g = weight_grid(w.data(), 3, 4);
  for (std::size_t i = 0; i < w.size(); ++i)
    CHECK(std::fabs(y.data().data()[i] - w.data()[i]) <= 0.5f * g.scale[i / 4] * 1.00001f);
}

TEST_CASE("fake_quantize: composes with other ops under backward (chain rule)") {
  // L = sum(relu(fq(x)) * 3): inside the range and above 0, dL/dx = 3.
  const QuantGrid g = activation_grid(-1.0f, 1.0f);
  Array x = {-0.5f, 0.25f, 0.75f, 1.5f};
  Variable v(x, true);
  sum(scale(relu(fake_quantize(v, g)), 3.0f)).backward();
  CHECK(v.grad()(0) == 0.0f);  // relu blocks
  CHECK(v.grad()(1) == 3.0f);
  CHECK(v.grad()(2) == 3.0f);
  CHECK(v.grad()(3) == 0.0f);  // clamped
}

TEST_CASE("fake_quantize: a pruned (zero) weight stays exactly zero") {
  Array w = {0.3f, 0.0f, -0.7f, 0.0f, 0.0f, 0.0f};  // (2, 3): channel 1 fully pruned
  w.reshape({2, 3});
  Variable y = fake_quantize_weight(Variable(w));
  CHECK(y.data()(0, 1) == 0.0f);
  for (std::size_t j = 0; j < 3; ++j) CHECK(y.data()(1, j) == 0.0f);
  CHECK(y.data()(0, 2) == doctest::Approx(-0.7f).epsilon(1e-6));  // max |w| is on the grid
}

TEST_CASE("fake_quantize: a grid that does not fit the input is refused") {
  QuantGrid g = weight_grid(std::vector<float>{1, 2, 3}.data(), 3, 1);
  Variable x(zeros_array({2, 5}));
  CHECK_THROWS_AS(fake_quantize(x, g), std::invalid_argument);
  g.scale = {0.0f};
  g.zero_point = {0};
  CHECK_THROWS_AS(fake_quantize(x, g), std::invalid_argument);
}
