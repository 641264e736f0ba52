#pragma once
// A Linear layer run in int8 from float in to float out, the building block the inference
// engine folds pruned models into: quantize the input on its calibrated uint8 grid, one
// integer GEMM (dense, or sparse for unstructured-pruned weights), then back to float:
//   y[m, n] = s_x * s_w[n] * (acc[m, n] - z_x * sum_k q_w[n, k]) + bias[n]
// where acc = q_x · q_w^T is exact and the zero-point term is precomputed per row.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/gemm_int8.h"
#include "kernels/quant_params.h"
#include "kernels/sparse_int8.h"

namespace poda {

struct Int8Linear {
  std::size_t in = 0, out = 0;
  bool sparse = false;         // which of the two weight forms below is used
  PackedInt8Weights dense;     // (out, in), when !sparse
  SparseInt8Weights sparse_w;  // (out, in), when sparse
  QuantGrid weight_grid;       // per output channel (out)
  QuantGrid input_grid;        // per tensor, calibrated
  std::vector<float> bias;     // (out), zeros when the layer has none
  bool relu = false;           // fused on the float output
  // Precomputed per output n: s_x * s_w[n], and z_x * sum_k q_w[n, k].
  std::vector<float> output_scale;
  std::vector<std::int32_t> zero_point_term;
};

// weight (out, in) fp32 (already masked), bias (out) or empty, input grid from calibration.
Int8Linear make_int8_linear(const float* weight, std::size_t out, std::size_t in,
                            const std::vector<float>& bias, const QuantGrid& input_grid,
                            bool sparse, bool relu);

// x (B, in) fp32 -> y (B, out) fp32. Scratch buffers are per thread and reused.
void int8_linear_forward(const Int8Linear& layer, const float* x, std::size_t B, float* y);

}  // namespace poda
