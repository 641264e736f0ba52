// The vectorised erf, GELU and its derivative (kernels/gelu_kernels.h) against double-precision
// references through std::erf and std::exp, on a fine grid over [-9, 9] (every float erf
// changes in), odd lengths for the vector tails, and the accumulate form of the backward.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/gelu_kernels.h"

using namespace poda;

namespace {

std::vector<float> grid() {
  std::vector<float> x;
  for (int i = -90001; i <= 90001; ++i) x.push_back(static_cast<float>(i) * 1e-4f);
  x.insert(x.end(), {1e-30f, -1e-30f, 0.0f, 40.0f, -40.0f});
  return x;
}

double gelu_ref(double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }

double gelu_slope_ref(double v) {
  return 0.5 * (1.0 + std::erf(v / std::sqrt(2.0))) +
         v * std::exp(-0.5 * v * v) / std::sqrt(2.0 * 3.14159265358979323846);
}

}  // namespace

TEST_CASE("gelu kernels: erf within 4e-7 of std::erf (6 float ulps near 1), relatively exact near 0") {
  const std::vector<float> x = grid();
  std::vector<float> y(x.size());
  kernels::erf_values(x.data(), y.data(), x.size());
  double worst = 0.0, worst_relative = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double want = std::erf(static_cast<double>(x[i]));
    worst = std::max(worst, std::abs(y[i] - want));
    if (x[i] != 0.0f && std::abs(x[i]) < 0.5f)
      worst_relative = std::max(worst_relative, std::abs(y[i] - want) / std::abs(want));
  }
  MESSAGE("erf: max abs error " << worst << ", max relative error below 0.5 " << worst_relative);
  CHECK(worst < 4e-7);
  CHECK(worst_relative < 1e-6);
  CHECK(y[x.size() - 2] == 1.0f);  // erf(40)
  CHECK(y[x.size() - 1] == -1.0f);
}

TEST_CASE("gelu kernels: forward and backward (written and accumulated) against doubles") {
  const std::vector<float> x = grid();
  const std::size_t n = x.size();  // odd: the vector loops end in a tail
  std::vector<float> y(n), dy(n), dx(n, std::numeric_limits<float>::quiet_NaN()), acc(n);
  for (std::size_t i = 0; i < n; ++i) {
    dy[i] = 0.5f + static_cast<float>(i % 7) * 0.25f;
    acc[i] = static_cast<float>(i % 3) - 1.0f;
  }
  const std::vector<float> acc0 = acc;
  kernels::gelu_forward(x.data(), y.data(), n);
  kernels::gelu_backward(x.data(), dy.data(), dx.data(), n, false);  // NaNs overwritten
  kernels::gelu_backward(x.data(), dy.data(), acc.data(), n, true);
  double worst_y = 0.0, worst_dx = 0.0, worst_acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i], want_y = gelu_ref(v), want_dx = gelu_slope_ref(v) * dy[i];
    worst_y = std::max(worst_y, std::abs(y[i] - want_y) / std::max(1.0, std::abs(want_y)));
    worst_dx = std::max(worst_dx, std::abs(dx[i] - want_dx));
    worst_acc = std::max(worst_acc, std::abs(acc[i] - (acc0[i] + want_dx)));
  }
  MESSAGE("gelu: max error " << worst_y << "; gelu': " << worst_dx << ", accumulated "
                             << worst_acc);
  CHECK(worst_y < 1.2e-6);  // the fit's error near erf = -1, times x/2
  CHECK(worst_dx < 2e-6);
  CHECK(worst_acc < 2e-6);
}
