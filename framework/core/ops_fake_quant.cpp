#include <stdexcept>
#include <string>

#include "core/fake_quant.h"

namespace poda {

namespace {

void check_grid(const Variable& x, const QuantGrid& grid) {
  const std::size_t channels = grid.channels();
  const bool per_tensor = channels == 1;
  if (channels == 0 || grid.zero_point.size() != channels ||
      (!per_tensor && (x.shape().empty() || x.dim(0) != channels)))
    throw std::invalid_argument("fake_quantize: a grid of " + std::to_string(channels) +
                                " channel(s) does not fit input " + shape_str(x.shape()) +
                                " (expected 1, or the size of axis 0)");
  for (float s : grid.scale)
    if (!(s > 0.0f)) throw std::invalid_argument("fake_quantize: scale must be positive");
}

}  // namespace

Variable fake_quantize(const Variable& x, const QuantGrid& grid) {
  check_grid(x, grid);
  const std::size_t n = x.size();
  const std::size_t per_channel = n / grid.channels();  // slice length along axis 0
  Array y = empty_array(x.shape());                     // same shape as x
  const float* px = x.data().data();
  float* py = y.data();
  for (std::size_t c = 0; c < grid.channels(); ++c) {
    const float s = grid.scale[c];
    const int z = grid.zero_point[c];
    for (std::size_t i = c * per_channel, end = i + per_channel; i < end; ++i)
      py[i] = static_cast<float>(clamped_level(px[i], s, z, grid.qmin, grid.qmax) - z) * s;
  }
  // The backward captures the grid (scalars), never the output; it recomputes the levels.
  return Variable::from_op(
      std::move(y), {x}, [grid, per_channel](std::vector<Variable>& in, const Array& dy) {
        Array dx = empty_array(in[0].shape());
        const float* px = in[0].data().data();
        const float* pdy = dy.data();
        float* pdx = dx.data();
        const float lo = static_cast<float>(grid.qmin), hi = static_cast<float>(grid.qmax);
        for (std::size_t c = 0; c < grid.channels(); ++c)
          for (std::size_t i = c * per_channel, end = i + per_channel; i < end; ++i) {
            const float level = unclamped_level(px[i], grid.scale[c], grid.zero_point[c]);
            pdx[i] = (level >= lo && level <= hi) ? pdy[i] : 0.0f;
          }
        in[0].add_grad(std::move(dx));
      });
}

Variable fake_quantize_weight(const Variable& weight) {
  if (weight.shape().empty() || weight.size() == 0)
    throw std::invalid_argument("fake_quantize_weight: weight " + shape_str(weight.shape()) +
                                " has no output channels");
  const std::size_t channels = weight.dim(0);
  const QuantGrid grid = weight_grid(weight.data().data(), channels, weight.size() / channels);
  return fake_quantize(weight, grid);
}

}  // namespace poda
