#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/int8_convert.h"
#include "kernels/quant_params.h"
#include "int8_reference.h"

using namespace poda;
using namespace poda::testing;

namespace {

// Inputs that probe every branch of clamped_level: both clamps, ties of the rounding, the
// 2^22 limit, infinities, NaN, signed zeros; then random values around the grid. 37 values
// plus 8 k, so the vector loops and their scalar tails both run.
std::vector<float> awkward_inputs(float scale, int zero_point) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f, -0.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
                          1e30f, -1e30f, 4194304.0f * scale, -4194304.0f * scale};
  for (int level = -3; level <= 258; level += 13) {
    const float real = static_cast<float>(level - zero_point) * scale;
    x.push_back(real);
    x.push_back(real + 0.5f * scale);  // a tie: rounds to even
    x.push_back(real - 0.5f * scale);
  }
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> u(-300.0f * scale, 300.0f * scale);
  while (x.size() % 8 != 5) x.push_back(u(rng));
  for (int i = 0; i < 64; ++i) x.push_back(u(rng));
  return x;
}

// quantize_activations on every target gives quantize_uint8's levels for x.
void check_levels_on_every_target(const std::vector<float>& x, float scale, int zero_point) {
  std::vector<std::uint8_t> want(x.size());
  quantize_uint8(x.data(), x.size(), scale, zero_point, want.data());
  for (KernelIsa isa : kernel_isas()) {
    CAPTURE(kernel_isa_name(isa));
    CAPTURE(scale);
    CAPTURE(zero_point);
    IsaScope scope(isa);
    std::vector<std::uint8_t> got(x.size(), 99);
    quantize_activations(x.data(), x.size(), scale, zero_point, got.data());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < x.size(); ++i) bad += got[i] != want[i];
    CHECK(bad == 0);
  }
}

}  // namespace

TEST_CASE("quantize_activations: every path gives quantize_uint8's levels") {
  for (const auto& [scale, zero_point] : {std::pair{0.02f, 0}, std::pair{0.0371f, 128},
                                          std::pair{1.0f, 255}, std::pair{3e-5f, 17}}) {
    const std::vector<float> x = awkward_inputs(scale, zero_point);
    std::uint8_t nan_level = 99;  // x[4] is NaN
    quantize_uint8(x.data() + 4, 1, scale, zero_point, &nan_level);
    CHECK(nan_level == 0);
    check_levels_on_every_target(x, scale, zero_point);
  }
}

TEST_CASE("quantize_activations: values a few ulps from a rounding tie keep their levels") {
  // The vector paths multiply by 1 / scale and hand a vector with a lane near a tie to the
  // exact quantizer: x around (k + 0.5) * scale, within ulps of the tie on both sides, over
  // every level and past both clamps, for scales whose reciprocal is inexact; then scales
  // whose reciprocal is not a normal float (the division throughout).
  std::mt19937 rng(29);
  std::uniform_real_distribution<float> log_scale(-12.0f, 4.0f);
  std::vector<std::pair<float, int>> grids = {{1e-39f, 3}, {3e38f, 200}, {0.1f, 0}};
  for (int i = 0; i < 12; ++i)
    grids.push_back({std::exp2(log_scale(rng)), static_cast<int>(rng() % 256)});
  for (const auto& [scale, zero_point] : grids) {
    std::vector<float> x;
    for (int k = -300 - zero_point; k <= 300 - zero_point; ++k) {
      float tie = (static_cast<float>(k) + 0.5f) * scale;
      for (int step = 0; step < 3; ++step) tie = std::nextafter(tie, -1e30f);
      for (int step = 0; step < 7; ++step) {
        x.push_back(tie);
        x.push_back(-tie);
        tie = std::nextafter(tie, 1e30f);
      }
      x.push_back(static_cast<float>(k) * scale);  // a level itself
    }
    check_levels_on_every_target(x, scale, zero_point);
  }
}

TEST_CASE("dequantize_rows / dequantize_channels: every path gives the plain formula") {
  const std::size_t M = 3, N = 21;  // N: two vectors of 8 and a tail
  std::mt19937 rng(23);
  std::uniform_int_distribution<int> sums(-2000000, 2000000);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<std::int32_t> acc(M * N), zp(N);
  std::vector<float> scale(N), bias(N);
  for (auto& v : acc) v = sums(rng);
  acc[0] = std::numeric_limits<std::int32_t>::max() - 40000;  // minus any zp stays in range
  acc[1] = std::numeric_limits<std::int32_t>::min() + 70000;
  for (std::size_t n = 0; n < N; ++n) {
    zp[n] = sums(rng) / 64;
    scale[n] = 1e-4f * (1.0f + u(rng));
    bias[n] = u(rng);
  }
  for (bool relu : {false, true}) {
    const Int8Epilogue e{scale.data(), zp.data(), bias.data(), relu};
    for (KernelIsa isa : kernel_isas()) {
      CAPTURE(kernel_isa_name(isa));
      CAPTURE(relu);
      IsaScope scope(isa);
      std::vector<float> rows(M * N), channels(N * M);
      dequantize_rows(acc.data(), M, N, e, rows.data());
      // The same sums seen as (N channels, M pixels): channel n's values are acc[n*M ...].
      dequantize_channels(acc.data(), N, M, e, channels.data());
      std::size_t bad = 0;
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t n = 0; n < N; ++n) {
          const float v = scale[n] * static_cast<float>(acc[m * N + n] - zp[n]) + bias[n];
          const float want = relu && !(v > 0.0f) ? 0.0f : v;
          bad += std::memcmp(&rows[m * N + n], &want, sizeof want) != 0;
        }
      for (std::size_t n = 0; n < N; ++n)
        for (std::size_t p = 0; p < M; ++p) {
          const float v = scale[n] * static_cast<float>(acc[n * M + p] - zp[n]) + bias[n];
          const float want = relu && !(v > 0.0f) ? 0.0f : v;
          bad += std::memcmp(&channels[n * M + p], &want, sizeof want) != 0;
        }
      CHECK(bad == 0);
    }
  }
}
