// export_onnx: a Lowering (nn/lowering.h) that writes ONNX nodes instead of inference ops.
#include "interop/onnx_export.h"

#include <sstream>

#include <xtensor/xadapt.hpp>

#include "core/ops.h"
#include "nn/lowering.h"

namespace poda {
namespace {

std::vector<std::int64_t> dims_of(const Shape& s) {
  return {s.begin(), s.end()};
}

std::string join(const std::vector<float>& v) {
  std::ostringstream out;
  out.precision(9);
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
  return out.str();
}

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

  std::string unique_name(const std::string& base) {
    const int n = used_[base]++;
    return n == 0 ? base : base + "_" + std::to_string(n);
  }

  std::vector<OnnxNode> nodes_;
  std::vector<std::pair<std::string, Array>> arrays_;
  std::map<std::string, int> used_;
  std::vector<Residual> residuals_;
  std::string current_ = kOnnxInputName;
  Shape shape_;
  Pending pending_;
};

OnnxModel OnnxBuilder::finish(const Shape& input, const Normalization& norm) {
  OnnxModel m;
  m.producer_version = PODA_VERSION;
  if (nodes_.empty()) node("Identity", "identity", {current_}, {});
  for (std::string& out : nodes_.back().outputs)
    if (out == current_) out = kOnnxOutputName;
  m.nodes = std::move(nodes_);
  for (auto& [name, a] : arrays_)
    m.initializers.push_back({name, dims_of(to_shape(a.shape())), {a.begin(), a.end()}, {}, false});
  std::vector<std::int64_t> in_dims{-1}, out_dims{-1};
  for (std::size_t d : input) in_dims.push_back(static_cast<std::int64_t>(d));
  for (std::size_t d : shape_) out_dims.push_back(static_cast<std::int64_t>(d));
  m.inputs = {{kOnnxInputName, in_dims}};
  m.outputs = {{kOnnxOutputName, out_dims}};
  m.metadata["poda.input"] = "(N, " + shape_str(input).substr(1) + " pixels scaled to [0, 1]";
  m.metadata["poda.normalization_mean"] = join(norm.mean);
  m.metadata["poda.normalization_std"] = join(norm.std);
  m.metadata["poda.output"] = "logits (N, " + shape_str(shape_).substr(1);
  m.doc_string = "poda export: masks applied, BatchNorm folded; normalisation as Sub/Div nodes";
  return m;
}

}  // namespace

OnnxModel export_onnx(Module& model, const Shape& input, const Normalization& norm) {
  model.output_shape(input);  // a ShapeError naming the layer, before any lowering
  model.eval();
  OnnxBuilder builder(input);
  builder.normalize(norm);
  model.lower(builder);
  return builder.finish(input, norm);
}

}  // namespace poda
