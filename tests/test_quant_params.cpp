#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "kernels/quant_params.h"

using namespace poda;

TEST_CASE("weight_grid: symmetric per output channel, max |w| maps to 127") {
  const std::vector<float> w = {0.5f,  -1.27f, 0.0f,    // channel 0: max |w| 1.27
                                0.0f,  0.0f,   0.0f,    // channel 1: all pruned
                                2.54f, 1.0f,   -0.3f};  // channel 2
  const QuantGrid g = weight_grid(w.data(), 3, 3);
  CHECK(g.qmin == -127);
  CHECK(g.qmax == 127);
  CHECK(g.scale[0] == doctest::Approx(0.01f).epsilon(1e-6));
  CHECK(g.scale[1] == 1.0f);
  CHECK(g.scale[2] == doctest::Approx(0.02f).epsilon(1e-6));
  CHECK(g.zero_point == std::vector<int>{0, 0, 0});
  const auto q = quantize_weight(w.data(), g, 3);
  CHECK(q[1] == -127);
  CHECK(q[6] == 127);
  CHECK(q[2] == 0);
  CHECK(q[3] == 0);
}

TEST_CASE("quantize / dequantize weights: round trip within half a step, zeros exact") {
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.0f, 0.1f);
  const std::size_t channels = 8, per = 50;
  std::vector<float> w(channels * per);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = i % 3 == 0 ? 0.0f : d(rng);
  const QuantGrid g = weight_grid(w.data(), channels, per);
  const auto q = quantize_weight(w.data(), g, per);
  const auto back = dequantize_weight(q.data(), g, per);
  for (std::size_t i = 0; i < w.size(); ++i) {
    CAPTURE(i);
    const float step = g.scale[i / per];
    CHECK(std::fabs(back[i] - w[i]) <= 0.5f * step * (1.0f + 1e-5f));
    if (w[i] == 0.0f) CHECK(back[i] == 0.0f);
  }
  // Quantizing the dequantized values again gives the same integers (a fixed point).
  CHECK(quantize_weight(back.data(), g, per) == q);
  // Sign symmetry: -w quantizes to -q.
  std::vector<float> neg(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) neg[i] = -w[i];
  const auto qn = quantize_weight(neg.data(), g, per);
  for (std::size_t i = 0; i < w.size(); ++i) CHECK(qn[i] == -q[i]);
}

TEST_CASE("activation_grid: asymmetric uint8, range widened to contain 0") {
  SUBCASE("after ReLU: zero point 0") {
    const QuantGrid g = activation_grid(0.0f, 2.55f);
    CHECK(g.zero_point[0] == 0);
    CHECK(g.scale[0] == doctest::Approx(0.01f).epsilon(1e-6));
  }
  SUBCASE("all positive range still represents 0") {
    const QuantGrid g = activation_grid(1.0f, 2.55f);
    CHECK(g.zero_point[0] == 0);
    CHECK(g.scale[0] == doctest::Approx(0.01f).epsilon(1e-6));
  }
  SUBCASE("shifted range: 0 is exactly level z") {
    const QuantGrid g = activation_grid(-0.5f, 2.05f);
    CHECK(g.zero_point[0] == 50);
    std::uint8_t q;
    const float zero = 0.0f;
    quantize_uint8(&zero, 1, g.scale[0], g.zero_point[0], &q);
    CHECK(q == 50);
  }
  SUBCASE("degenerate and invalid ranges") {
    CHECK(activation_grid(0.0f, 0.0f).scale[0] == 1.0f);
    CHECK_THROWS_AS(activation_grid(1.0f, -1.0f), std::invalid_argument);
    CHECK_THROWS_AS(activation_grid(NAN, 1.0f), std::invalid_argument);
  }
}

TEST_CASE("quantize_uint8: error at most half a step inside the range, clamped outside") {
  const QuantGrid g = activation_grid(-1.0f, 3.0f);
  const float s = g.scale[0];
  const int z = g.zero_point[0];
  const float lo = (0 - z) * s, hi = (255 - z) * s;
  for (float x = -2.0f; x <= 4.0f; x += 0.013f) {
    CAPTURE(x);
    std::uint8_t q;
    quantize_uint8(&x, 1, s, z, &q);
    const float back = (static_cast<int>(q) - z) * s;
    if (x < lo)
      CHECK(q == 0);
    else if (x > hi)
      CHECK(q == 255);
    else
      CHECK(std::fabs(back - x) <= 0.5f * s * (1.0f + 1e-5f));
  }
  float huge = 1e30f;
  std::uint8_t q;
  quantize_uint8(&huge, 1, s, z, &q);
  CHECK(q == 255);
}

TEST_CASE(
    "unclamped_level: rounds exactly as std::nearbyint (ties to even), huge values saturate") {
  for (float v : {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 126.5f, -127.5f, 1e-8f, 3.0f,
                  1000.25f, 4194303.5f, -4194303.5f}) {
    CAPTURE(v);
    CHECK(unclamped_level(v, 1.0f, 0) == std::nearbyint(v));
  }
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-300.0f, 300.0f);
  for (int i = 0; i < 100000; ++i) {
    const float x = d(rng), s = 0.0137f;
    REQUIRE(unclamped_level(x, s, 7) == std::nearbyint(x / s) + 7.0f);
  }
  CHECK(unclamped_level(1e30f, 1e-3f, 0) > 255.0f);
  CHECK(unclamped_level(-1e30f, 1e-3f, 0) < -255.0f);
  CHECK(clamped_level(NAN, 1.0f, 0, 0, 255) == 0);
}
