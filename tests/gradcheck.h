#pragma once
// Central-difference check of an op's full Jacobian (tiny-dnn's gradient_check, flashlight's
// jacobianTestImpl). The ops compute in float32; differences and comparisons are in double.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "core/variable.h"

namespace poda::testing {

using Fn = std::function<Variable(std::vector<Variable>&)>;

// Random values in ±[low, high]: away from zero, so kinks (relu, max, abs) are not probed.
inline Array random_array(const Shape& shape, std::uint64_t seed, float low = 0.1f,
                          float high = 1.0f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> mag(low, high);
  Array a = empty_array(shape);
  for (float& v : a) v = (rng() & 1) ? mag(rng) : -mag(rng);
  return a;
}

// Checks d out_i / d in_j for every output i and every element j of every input whose
// flag in `differentiable` is true (default: all).
inline void check_jacobian(const Fn& f, const std::vector<Array>& inputs,
                           std::vector<bool> differentiable = {}, double h = 1e-2,
                           double rtol = 2e-2, double atol = 2e-3) {
  if (differentiable.empty()) differentiable.assign(inputs.size(), true);
  auto make_vars = [&](const std::vector<Array>& values) {
    std::vector<Variable> vars;
    for (std::size_t k = 0; k < values.size(); ++k)
      vars.emplace_back(values[k], static_cast<bool>(differentiable[k]));
    return vars;
  };
  std::vector<Variable> probe = make_vars(inputs);
  const std::size_t n_out = f(probe).size();

  // Analytic Jacobian, one backward pass per output element.
  std::vector<std::vector<std::vector<double>>> analytic(inputs.size());
  for (std::size_t i = 0; i < n_out; ++i) {
    std::vector<Variable> vars = make_vars(inputs);
    Variable out = f(vars);
    Array seed = zeros_array(out.shape());
    seed.data()[i] = 1.0f;
    out.backward(seed);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (!differentiable[k]) continue;
      analytic[k].emplace_back(inputs[k].size(), 0.0);
      if (vars[k].has_grad())
        for (std::size_t j = 0; j < inputs[k].size(); ++j)
          analytic[k].back()[j] = vars[k].grad().data()[j];
    }
  }

  // Numeric Jacobian, column by column.
  std::size_t mismatches = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (!differentiable[k]) continue;
    for (std::size_t j = 0; j < inputs[k].size(); ++j) {
      std::vector<Array> plus = inputs, minus = inputs;
      plus[k].data()[j] += static_cast<float>(h);
      minus[k].data()[j] -= static_cast<float>(h);
      NoGradGuard no_grad;
      std::vector<Variable> vp = make_vars(plus), vm = make_vars(minus);
      const Array yp = f(vp).data(), ym = f(vm).data();
      for (std::size_t i = 0; i < n_out; ++i) {
        const double numeric = (double(yp.data()[i]) - double(ym.data()[i])) / (2 * h);
        const double a = analytic[k][i][j];
        if (std::abs(a - numeric) > atol + rtol * std::abs(numeric) && mismatches++ < 5) {
          CAPTURE(k);
          CAPTURE(i);
          CAPTURE(j);
          CHECK(a == doctest::Approx(numeric).epsilon(rtol));
        }
      }
    }
  }
  CHECK_MESSAGE(mismatches == 0, "Jacobian entries off: " << mismatches);
}

}  // namespace poda::testing
