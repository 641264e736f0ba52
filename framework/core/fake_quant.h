#pragma once
// Fake quantization with a straight-through estimator (Bengio et al. 2013; Jacob et al.
// 2018): the forward rounds to the int8/uint8 grid and back to float, so training sees the
// quantization error; the backward passes the gradient through unchanged where the value
// lies inside the grid's range and blocks it where the value was clamped.
// The grids come from kernels/quant_params.h (weights symmetric per channel, activations
// asymmetric uint8 per tensor). The scales are constants of the op: no gradient reaches them.
#include "kernels/quant_params.h"
#include "core/variable.h"

namespace poda {

// x (C, ...) with grid.channels() == C (per channel), or any shape with one channel
// (per tensor) -> same shape: (clamp(round(x / s) + z, qmin, qmax) - z) * s.
// d x = d out where qmin <= round(x / s) + z <= qmax, else 0.
Variable fake_quantize(const Variable& x, const QuantGrid& grid);

// weight (C_out, ...) -> fake-quantized on its own symmetric per-channel int8 grid.
// A zero weight (pruned) comes out exactly 0, and its gradient is the upstream one
// (the mask in front of it, Parameter::effective, is what zeros it).
Variable fake_quantize_weight(const Variable& weight);

}  // namespace poda
