#include "quantize/int8_linear.h"

#include <stdexcept>
#include <string>

#include "kernels/int8_convert.h"

namespace poda {

Int8Linear make_int8_linear(const float* weight, std::size_t out, std::size_t in,
                            const std::vector<float>& bias, const QuantGrid& input_grid,
                            bool sparse, bool relu) {
  if (!bias.empty() && bias.size() != out)
    throw std::invalid_argument("make_int8_linear: bias has " + std::to_string(bias.size()) +
                                " values for " + std::to_string(out) + " outputs");
  if (input_grid.channels() != 1 || input_grid.qmin != 0 || input_grid.qmax != kActivationQmax)
    throw std::invalid_argument("make_int8_linear: the input grid must be per-tensor uint8");
  Int8Linear layer;
  layer.in = in;
  layer.out = out;
  layer.sparse = sparse;
  layer.weight_grid = weight_grid(weight, out, in);
  const std::vector<std::int8_t> q = quantize_weight(weight, layer.weight_grid, in);
  if (sparse)
    layer.sparse_w = sparsify_int8_weights(q.data(), out, in);
  else
    layer.dense = pack_int8_weights(q.data(), out, in);
  layer.input_grid = input_grid;
  layer.bias = bias.empty() ? std::vector<float>(out, 0.0f) : bias;
  layer.relu = relu;
  const std::vector<std::int32_t>& row_sum = sparse ? layer.sparse_w.row_sum : layer.dense.row_sum;
  for (std::size_t n = 0; n < out; ++n) {
    layer.output_scale.push_back(input_grid.scale[0] * layer.weight_grid.scale[n]);
    layer.zero_point_term.push_back(input_grid.zero_point[0] * row_sum[n]);
  }
  return layer;
}

void int8_linear_forward(const Int8Linear& layer, const float* x, std::size_t B, float* y) {
  thread_local std::vector<std::uint8_t> qx;   // (B, in)
  thread_local std::vector<std::int32_t> acc;  // (B, out)
  qx.resize(B * layer.in);
  acc.resize(B * layer.out);
  const float s_x = layer.input_grid.scale[0];
  const int z_x = layer.input_grid.zero_point[0];
  quantize_activations(x, B * layer.in, s_x, z_x, qx.data());
  if (layer.sparse)
    sparse_gemm_u8s8(B, qx.data(), layer.in, layer.sparse_w, acc.data(), layer.out);
  else
    gemm_u8s8(B, qx.data(), layer.in, layer.dense, acc.data(), layer.out);
  dequantize_rows(acc.data(), B, layer.out,
                  {layer.output_scale.data(), layer.zero_point_term.data(), layer.bias.data(),
                   layer.relu},
                  y);
}

}  // namespace poda
