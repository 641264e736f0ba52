#pragma once
// The ONNX export's Lowering (interop/onnx_export.h): it writes ONNX nodes instead of inference
// ops. Internal to the export: onnx_export.cpp (Dense, Conv2d, pooling, residual adds) and
// onnx_export_transformer.cpp (LayerNorm, GELU, tokens, attention).
#include <map>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>

#include "core/ops.h"
#include "data/normalization.h"
#include "interop/onnx_export.h"
#include "interop/onnx_model.h"
#include "nn/lowering.h"

namespace poda {

class OnnxBuilder : public Lowering {
 public:
  explicit OnnxBuilder(const Shape& input) : shape_(input) {}

  void normalize(const Normalization& norm) {
    const std::size_t c = norm.mean.size();
    if (shape_.size() != 3 || c != shape_[0]) return;  // feature inputs are not images
    const std::string mean = constant("normalization.mean", {c, 1, 1}, norm.mean);
    const std::string std = constant("normalization.std", {c, 1, 1}, norm.std);
    node("Sub", "normalize.sub", {current_, mean}, {});
    node("Div", "normalize.div", {current_, std}, {});
  }

  void dense(Array weight, Array bias) override {
    if (tokenwise_) return token_dense(std::move(weight), std::move(bias));
    if (shape_.size() != 1) flatten();
    const std::size_t out = weight.shape()[0];
    if (bias.dimension() == 0) bias = zeros_array({out});  // none: a 0-d Array
    pending_ = {constant(layer_name() + ".weight", weight), constant(layer_name() + ".bias", bias)};
    node("Gemm", layer_name(), {current_, pending_.weight, pending_.bias}, {onnx_int("transB", 1)});
    shape_ = {out};
    pending_.node = nodes_.size();
  }

  void conv2d(Array weight, Array bias, const ConvGeometry& g) override {
    const std::size_t out = weight.shape()[0];
    if (bias.dimension() == 0) bias = zeros_array({out});  // none: a 0-d Array
    const auto k = static_cast<std::int64_t>(g.kernel), s = static_cast<std::int64_t>(g.stride),
               p = static_cast<std::int64_t>(g.padding), d = static_cast<std::int64_t>(g.dilation);
    pending_ = {constant(layer_name() + ".weight", weight), constant(layer_name() + ".bias", bias)};
    node("Conv", layer_name(), {current_, pending_.weight, pending_.bias},
         {onnx_ints("kernel_shape", {k, k}), onnx_ints("strides", {s, s}),
          onnx_ints("pads", {p, p, p, p}), onnx_ints("dilations", {d, d}),
          onnx_int("group", static_cast<std::int64_t>(g.groups))});
    shape_ = {out, conv_out_size(shape_[1], g.kernel, g.stride, g.padding, g.dilation),
              conv_out_size(shape_[2], g.kernel, g.stride, g.padding, g.dilation)};
    pending_.node = nodes_.size();
  }

  // Folded into the Dense/Conv2d it directly follows; a BatchNormalization node otherwise.
  void channel_affine(Array scale, Array shift) override {
    if (pending_.node != 0 && pending_.node == nodes_.size() && shape_[0] == scale.size()) {
      fold_into_pending(scale, shift);
      return;
    }
    const std::size_t c = scale.size();
    const std::string name = layer_name();
    const std::string s = constant(name + ".scale", scale), b = constant(name + ".shift", shift);
    const std::string mean = constant(name + ".mean", zeros_array({c}));
    const std::string var = constant(name + ".var", Array(xt::ones<float>(Shape{c})));
    OnnxAttribute eps;
    eps.name = "epsilon";
    eps.kind = OnnxAttribute::Kind::f;
    eps.f = 0.0f;
    node("BatchNormalization", name, {current_, s, b, mean, var}, {eps});
  }

  void relu() override { node("Relu", layer_name(), {current_}, {}); }
  void tanh() override { node("Tanh", layer_name(), {current_}, {}); }
  void sigmoid() override { node("Sigmoid", layer_name(), {current_}, {}); }

  void max_pool2d(std::size_t k, std::size_t s, std::size_t p) override {
    pool("MaxPool", k, s, p, {});
  }
  void avg_pool2d(std::size_t k, std::size_t s, std::size_t p) override {
    pool("AveragePool", k, s, p, {onnx_int("count_include_pad", 1)});  // padding counts as 0
  }

  void global_avg_pool() override {
    node("GlobalAveragePool", layer_name(), {current_}, {});
    shape_ = {shape_[0], 1, 1};
    flatten();
  }

  void flatten() override {
    if (shape_.size() == 1) return;
    node("Flatten", layer_name() + ".flatten", {current_}, {onnx_int("axis", 1)});
    shape_ = {numel(shape_)};
  }

  void residual_begin() override { residuals_.push_back({current_, shape_, "", {}}); }
  void residual_shortcut() override {
    Residual& r = residuals_.back();
    r.body = current_;
    r.body_shape = shape_;
    current_ = r.input;
    shape_ = r.input_shape;
  }
  void residual_end() override {
    const Residual r = residuals_.back();
    residuals_.pop_back();
    node("Add", layer_name() + ".add", {r.body, current_}, {});
    shape_ = r.body_shape;
  }

  // Transformers (interop/onnx_export_transformer.cpp): tokens (N, T, D) as 3-D tensors,
  // LayerNorm and GELU decomposed into opset-13 nodes, attention as MatMul, Reshape,
  // Transpose and Softmax.
  void layer_norm(Array gamma, Array beta, float eps) override;
  void gelu() override;
  void to_tokens() override;
  void prepend_token(Array token) override;
  void add_positions(Array position) override;
  void token_pool(bool mean) override;
  void tokenwise_begin() override { ++tokenwise_; }
  void tokenwise_end() override { --tokenwise_; }
  void attention(AttentionWeights weights) override;

  OnnxModel finish(const Shape& input, const Normalization& norm);

 private:
  struct Pending {
    std::string weight, bias;
    std::size_t node = 0;  // nodes_.size() right after the Gemm/Conv; 0 = none
  };
  struct Residual {
    std::string input;
    Shape input_shape;
    std::string body;
    Shape body_shape;
  };

  std::string constant(const std::string& name, const Shape& shape, const std::vector<float>& v) {
    return constant(name, Array(xt::adapt(v, shape)));
  }
  std::string constant(const std::string& name, Array value) {
    const std::string unique = unique_name(name);
    arrays_.emplace_back(unique, std::move(value));
    return unique;
  }
  Array& array(const std::string& name) {
    for (auto& [n, a] : arrays_)
      if (n == name) return a;
    throw std::logic_error("onnx export: no constant " + name);
  }

  void node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
            std::vector<OnnxAttribute> attributes) {
    OnnxNode n;
    n.op_type = op;
    n.name = unique_name(name.empty() ? op : name);
    n.inputs = std::move(inputs);
    n.outputs = {n.name + ".out"};
    n.attributes = std::move(attributes);
    current_ = n.outputs[0];
    nodes_.push_back(std::move(n));
  }

  void pool(const std::string& op, std::size_t k, std::size_t s, std::size_t p,
            std::vector<OnnxAttribute> attributes) {
    const auto ki = static_cast<std::int64_t>(k), si = static_cast<std::int64_t>(s),
               pi = static_cast<std::int64_t>(p);
    attributes.push_back(onnx_ints("kernel_shape", {ki, ki}));
    attributes.push_back(onnx_ints("strides", {si, si}));
    attributes.push_back(onnx_ints("pads", {pi, pi, pi, pi}));
    node(op, layer_name(), {current_}, std::move(attributes));
    shape_ = {shape_[0], conv_out_size(shape_[1], k, s, p, 1),
              conv_out_size(shape_[2], k, s, p, 1)};
  }

  // y = (W x + b) * scale + shift = (W * scale) x + (b * scale + shift), per output unit.
  void fold_into_pending(const Array& scale, const Array& shift) {
    Array& w = array(pending_.weight);
    Array& b = array(pending_.bias);
    const std::size_t units = scale.size(), per_unit = w.size() / units;
    for (std::size_t o = 0; o < units; ++o) {
      for (std::size_t i = 0; i < per_unit; ++i) w.data()[o * per_unit + i] *= scale(o);
      b(o) = b(o) * scale(o) + shift(o);
    }
  }

  // The node's output name (node() makes it current).
  std::string op(const std::string& type, const std::string& name, std::vector<std::string> inputs,
                 std::vector<OnnxAttribute> attributes = {}) {
    node(type, name, std::move(inputs), std::move(attributes));
    return current_;
  }
  std::string int64s(const std::string& name, std::vector<std::int64_t> dims,
                     std::vector<std::int64_t> values);
  std::string scalar(const std::string& name, float value);
  // x (N, T, in) -> (N, T, out) = x weight^T + bias: MatMul and Add.
  std::string token_matmul(const std::string& name, const std::string& x, const Array& weight,
                           const Array& bias);
  void token_dense(Array weight, Array bias);
  // (N, T, E) -> (N, H, T, E / H), or (N, H, E / H, T) with keys_last.
  std::string split_heads(const std::string& name, const std::string& x, std::size_t heads,
                          std::size_t width, bool keys_last);

  std::string unique_name(const std::string& base) {
    const int n = used_[base]++;
    return n == 0 ? base : base + "_" + std::to_string(n);
  }

  std::vector<OnnxNode> nodes_;
  std::vector<std::pair<std::string, Array>> arrays_;
  std::vector<OnnxTensor> int_constants_;  // Reshape shapes, Gather indices
  int tokenwise_ = 0;
  std::map<std::string, int> used_;
  std::vector<Residual> residuals_;
  std::string current_ = kOnnxInputName;
  Shape shape_;
  Pending pending_;
};

}  // namespace poda
