#include "kernels/quant_params.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace poda {

QuantGrid weight_grid(const float* weight, std::size_t channels, std::size_t per_channel) {
  QuantGrid grid;
  grid.qmin = -kWeightQmax;
  grid.qmax = kWeightQmax;
  grid.scale.resize(channels);
  grid.zero_point.assign(channels, 0);
  for (std::size_t c = 0; c < channels; ++c) {
    const float* w = weight + c * per_channel;
    float max_abs = 0.0f;
    for (std::size_t i = 0; i < per_channel; ++i) max_abs = std::max(max_abs, std::fabs(w[i]));
    grid.scale[c] = max_abs > 0.0f ? max_abs / kWeightQmax : 1.0f;
  }
  return grid;
}

QuantGrid activation_grid(float lo, float hi) {
  if (!(lo <= hi))
    throw std::invalid_argument("activation_grid: range [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "] is empty or not a number");
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  QuantGrid grid;
  grid.qmin = 0;
  grid.qmax = kActivationQmax;
  const float scale = hi > lo ? (hi - lo) / kActivationQmax : 1.0f;
  // lo maps to level 0; rounding the zero point moves the range by under half a step.
  const int zero_point =
      std::clamp(static_cast<int>(std::nearbyint(-lo / scale)), 0, kActivationQmax);
  grid.scale = {scale};
  grid.zero_point = {zero_point};
  return grid;
}

void quantize_int8(const float* x, std::size_t n, float scale, std::int8_t* q) {
  for (std::size_t i = 0; i < n; ++i)
    q[i] = static_cast<std::int8_t>(clamped_level(x[i], scale, 0, -kWeightQmax, kWeightQmax));
}

void quantize_uint8(const float* x, std::size_t n, float scale, int zero_point, std::uint8_t* q) {
  for (std::size_t i = 0; i < n; ++i)
    q[i] = static_cast<std::uint8_t>(clamped_level(x[i], scale, zero_point, 0, kActivationQmax));
}

std::vector<std::int8_t> quantize_weight(const float* weight, const QuantGrid& grid,
                                         std::size_t per_channel) {
  std::vector<std::int8_t> q(grid.channels() * per_channel);
  for (std::size_t c = 0; c < grid.channels(); ++c)
    quantize_int8(weight + c * per_channel, per_channel, grid.scale[c], q.data() + c * per_channel);
  return q;
}

std::vector<float> dequantize_weight(const std::int8_t* q, const QuantGrid& grid,
                                     std::size_t per_channel) {
  std::vector<float> w(grid.channels() * per_channel);
  for (std::size_t c = 0; c < grid.channels(); ++c)
    for (std::size_t i = 0; i < per_channel; ++i)
      w[c * per_channel + i] = static_cast<float>(q[c * per_channel + i]) * grid.scale[c];
  return w;
}

}  // namespace poda
