#include "quantize/int8_weights.h"

#include <stdexcept>

namespace poda {

Int8Weights quantize_weights_int8(const Array& weight) {
  const Shape shape = to_shape(weight.shape());
  if (shape.empty() || weight.size() == 0)
    throw std::invalid_argument("quantize_weights_int8: weight " + shape_str(shape) +
                                " has no output channels");
  Int8Weights out;
  out.shape = shape;
  const std::size_t per_channel = weight.size() / shape[0];
  out.grid = weight_grid(weight.data(), shape[0], per_channel);
  out.q = quantize_weight(weight.data(), out.grid, per_channel);
  return out;
}

Array dequantize(const Int8Weights& weights) {
  const std::size_t per_channel = weights.q.size() / weights.grid.channels();
  const std::vector<float> values = dequantize_weight(weights.q.data(), weights.grid, per_channel);
  Array out = empty_array(weights.shape);
  std::copy(values.begin(), values.end(), out.data());
  return out;
}

}  // namespace poda
