// The transformer layers written as opset-13 ONNX nodes. A sample's tokens (T, D) are the
// tensor (N, T, D). LayerNorm has no opset-13 operator: it is written as PyTorch 1.13 exports
// it (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add); GELU as 0.5 x (1 +
// erf(x / sqrt 2)); attention as MatMul, Reshape, Transpose and Softmax per head.
#include <cmath>
#include <xtensor/xmanipulation.hpp>

#include "interop/onnx_builder.h"

namespace poda {

std::string OnnxBuilder::int64s(const std::string& name, std::vector<std::int64_t> dims,
                                std::vector<std::int64_t> values) {
  OnnxTensor t;
  t.name = unique_name(name);
  t.dims = std::move(dims);
  t.ints = std::move(values);
  t.is_int64 = true;
  int_constants_.push_back(t);
  return t.name;
}

std::string OnnxBuilder::scalar(const std::string& name, float value) {
  return constant(name, Array(xt::adapt(std::vector<float>{value}, Shape{})));
}

std::string OnnxBuilder::token_matmul(const std::string& name, const std::string& x,
                                      const Array& weight, const Array& bias) {
  const Array transposed = xt::eval(xt::transpose(weight));  // (in, out)
  const std::string y = op("MatMul", name + ".matmul", {x, constant(name + ".weight", transposed)});
  if (bias.dimension() == 0 || bias.size() == 0) return y;
  return op("Add", name + ".bias_add", {y, constant(name + ".bias", bias)});
}

void OnnxBuilder::token_dense(Array weight, Array bias) {
  token_matmul(layer_name(), current_, weight, bias);
  shape_ = {shape_[0], weight.shape()[0]};
  pending_.node = 0;  // a BatchNorm is never folded into a token's projection
}

void OnnxBuilder::layer_norm(Array gamma, Array beta, float eps) {
  const std::string name = layer_name(), x = current_;
  const std::vector<OnnxAttribute> last_axis{onnx_ints("axes", {-1}), onnx_int("keepdims", 1)};
  const std::string mean = op("ReduceMean", name + ".mean", {x}, last_axis);
  const std::string centred = op("Sub", name + ".sub", {x, mean});
  const std::string squared = op("Pow", name + ".pow", {centred, scalar(name + ".two", 2.0f)});
  const std::string var = op("ReduceMean", name + ".var", {squared}, last_axis);
  const std::string shifted = op("Add", name + ".add_eps", {var, scalar(name + ".eps", eps)});
  const std::string sd = op("Sqrt", name + ".sqrt", {shifted});
  const std::string normed = op("Div", name + ".div", {centred, sd});
  const std::string scaled = op("Mul", name + ".mul", {normed, constant(name + ".weight", gamma)});
  op("Add", name + ".add", {scaled, constant(name + ".bias", beta)});
}

void OnnxBuilder::gelu() {
  const std::string name = layer_name(), x = current_;
  const std::string erf =
      op("Erf", name + ".erf",
         {op("Div", name + ".div", {x, scalar(name + ".sqrt2", std::sqrt(2.0f))})});
  const std::string one_plus = op("Add", name + ".add", {erf, scalar(name + ".one", 1.0f)});
  const std::string times_x = op("Mul", name + ".mul", {x, one_plus});
  op("Mul", name + ".half", {times_x, scalar(name + ".half", 0.5f)});
}

// (N, C, H, W) -> (N, C, H*W) -> (N, H*W, C).
void OnnxBuilder::to_tokens() {
  const std::string name = layer_name();
  const auto C = static_cast<std::int64_t>(shape_[0]);
  const auto HW = static_cast<std::int64_t>(shape_[1] * shape_[2]);
  const std::string flat =
      op("Reshape", name + ".reshape", {current_, int64s(name + ".shape", {3}, {0, C, HW})});
  op("Transpose", name + ".transpose", {flat}, {onnx_ints("perm", {0, 2, 1})});
  shape_ = {shape_[1] * shape_[2], shape_[0]};
}

// The token (1, 1, D) expanded to (N, 1, D) with N read from the input, then concatenated.
void OnnxBuilder::prepend_token(Array token) {
  const std::string name = layer_name(), x = current_;
  const auto D = static_cast<std::int64_t>(token.size());
  token.reshape({1, 1, token.size()});
  const std::string n = op("Gather", name + ".batch",
                           {op("Shape", name + ".shape", {x}), int64s(name + ".zero", {1}, {0})},
                           {onnx_int("axis", 0)});
  const std::string dims = op("Concat", name + ".dims", {n, int64s(name + ".one_d", {2}, {1, D})},
                              {onnx_int("axis", 0)});
  const std::string tokens =
      op("Expand", name + ".expand", {constant(name + ".token", token), dims});
  op("Concat", name + ".concat", {tokens, x}, {onnx_int("axis", 1)});
  shape_ = {shape_[0] + 1, shape_[1]};
}

void OnnxBuilder::add_positions(Array position) {
  const std::string name = layer_name();
  op("Add", name + ".add", {current_, constant(name + ".position", position)});
}

void OnnxBuilder::token_pool(bool mean) {
  const std::string name = layer_name();
  if (mean)
    op("ReduceMean", name + ".mean", {current_}, {onnx_ints("axes", {1}), onnx_int("keepdims", 0)});
  else
    op("Gather", name + ".first", {current_, int64s(name + ".index", {}, {0})},
       {onnx_int("axis", 1)});
  shape_ = {shape_[1]};
}

std::string OnnxBuilder::split_heads(const std::string& name, const std::string& x,
                                     std::size_t heads, std::size_t width, bool keys_last) {
  const std::string split =
      op("Reshape", name + ".split",
         {x, int64s(name + ".heads", {4},
                    {0, 0, static_cast<std::int64_t>(heads), static_cast<std::int64_t>(width)})});
  const std::vector<std::int64_t> perm =
      keys_last ? std::vector<std::int64_t>{0, 2, 3, 1} : std::vector<std::int64_t>{0, 2, 1, 3};
  return op("Transpose", name + ".transpose", {split}, {onnx_ints("perm", perm)});
}

// softmax(q_h k_h^T / sqrt(width)) v_h per head as (N, H, T, T) MatMuls, heads joined back to
// (N, T, E), then the output projection.
void OnnxBuilder::attention(AttentionWeights w) {
  const std::string name = layer_name(), x = current_;
  const std::size_t E = w.q_weight.shape()[0], H = w.heads, width = E / H;
  const std::string q =
      split_heads(name + ".q", token_matmul(name + ".q", x, w.q_weight, w.q_bias), H, width, false);
  const std::string k =
      split_heads(name + ".k", token_matmul(name + ".k", x, w.k_weight, w.k_bias), H, width, true);
  const std::string v =
      split_heads(name + ".v", token_matmul(name + ".v", x, w.v_weight, w.v_bias), H, width, false);
  const std::string scores =
      op("Mul", name + ".scale",
         {op("MatMul", name + ".scores", {q, k}),
          scalar(name + ".inv_sqrt_width", 1.0f / std::sqrt(static_cast<float>(width)))});
  const std::string p = op("Softmax", name + ".softmax", {scores}, {onnx_int("axis", -1)});
  const std::string mixed = op("Transpose", name + ".merge", {op("MatMul", name + ".mix", {p, v})},
                               {onnx_ints("perm", {0, 2, 1, 3})});
  const std::string joined =
      op("Reshape", name + ".join",
         {mixed, int64s(name + ".width", {3}, {0, 0, static_cast<std::int64_t>(E)})});
  token_matmul(name + ".out", joined, w.out_weight, w.out_bias);
}

}  // namespace poda
