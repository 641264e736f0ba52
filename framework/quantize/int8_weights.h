#pragma once
// A weight quantized to int8 for storage: the integer levels and the per-output-channel
// grid they live on (kernels/quant_params.h). dequantize() gives the float weight the int8
// kernels compute with; a pruned weight is level 0, so exactly 0 again.
#include <cstdint>
#include <vector>

#include "kernels/quant_params.h"
#include "core/tensor.h"

namespace poda {

struct Int8Weights {
  Shape shape;                 // (C_out, ...)
  std::vector<std::int8_t> q;  // numel(shape), row-major
  QuantGrid grid;              // symmetric, one scale per output channel
};

Int8Weights quantize_weights_int8(const Array& weight);
Array dequantize(const Int8Weights& weights);

}  // namespace poda
