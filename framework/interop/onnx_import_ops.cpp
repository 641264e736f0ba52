#include "interop/onnx_import_ops.h"

#include <xtensor/xadapt.hpp>

namespace poda {
namespace {

[[noreturn]] void fail(const OpContext& ctx, const OnnxNode& n, const std::string& why) {
  throw OnnxError(ctx.source + ": " + n.label() + ": " + why);
}

// Input `i` of `n` as a float constant (an initializer or a Constant node's value).
Array constant(const OpContext& ctx, const OnnxNode& n, std::size_t i) {
  if (i >= n.inputs.size()) fail(ctx, n, "input " + std::to_string(i) + " is missing");
  auto it = ctx.constants.find(n.inputs[i]);
  if (it == ctx.constants.end() || it->second->is_int64)
    fail(ctx, n, "input '" + n.inputs[i] + "' must be a float constant (an initializer)");
  Shape shape;
  for (std::int64_t d : it->second->dims) shape.push_back(static_cast<std::size_t>(d));
  if (numel(shape) != it->second->floats.size()) fail(ctx, n, "'" + n.inputs[i] + "' is truncated");
  return Array(xt::adapt(it->second->floats, shape));
}

// The one value of a per-axis attribute that poda's square layers need: all equal.
std::size_t same(const OpContext& ctx, const OnnxNode& n, const std::string& key,
                 std::vector<std::int64_t> values) {
  if (values.empty()) fail(ctx, n, key + " is empty");
  for (std::int64_t v : values)
    if (v != values.at(0) || v < 0)
      fail(ctx, n, key + " must be the same non-negative value on every axis");
  return static_cast<std::size_t>(values.at(0));
}

LayerSpec spec(const std::string& type, std::map<std::string, double> numbers = {}) {
  LayerSpec s;
  s.type = type;
  s.numbers = std::move(numbers);
  return s;
}

LayerSpec gemm(const OnnxNode& n, OpContext& ctx) {
  if (n.int_or("transA", 0) != 0 || n.float_or("alpha", 1.0f) != 1.0f ||
      n.float_or("beta", 1.0f) != 1.0f)
    fail(ctx, n, "only transA = 0, alpha = beta = 1 is a Dense layer");
  Array w = constant(ctx, n, 1);
  if (w.dimension() != 2) fail(ctx, n, "the weight must be a matrix");
  if (n.int_or("transB", 0) == 0) w = xt::transpose(w);  // (in, out) -> (out, in)
  const std::size_t out = w.shape()[0];
  const bool bias = n.inputs.size() > 2 && !n.inputs[2].empty();
  ctx.parameters.push_back(std::move(w));
  if (bias) {
    Array b = constant(ctx, n, 2);
    if (b.size() != out) fail(ctx, n, "the bias must have one value per output (broadcast)");
    ctx.parameters.push_back(Array(xt::adapt(std::vector<float>(b.begin(), b.end()), {out})));
  }
  return spec("dense", {{"out", double(out)}, {"bias", bias ? 1.0 : 0.0}});
}

LayerSpec matmul(const OnnxNode& n, OpContext& ctx) {
  Array w = constant(ctx, n, 1);
  if (w.dimension() != 2) fail(ctx, n, "the second input must be a constant matrix");
  const std::size_t out = w.shape()[1];
  ctx.parameters.push_back(Array(xt::transpose(w)));
  return spec("dense", {{"out", double(out)}, {"bias", 0.0}});
}

LayerSpec conv(const OnnxNode& n, OpContext& ctx) {
  Array w = constant(ctx, n, 1);
  if (w.dimension() != 4 || w.shape()[2] != w.shape()[3])
    fail(ctx, n, "poda's Conv2d has square 2-d kernels");
  if (n.attribute("auto_pad") && n.attribute("auto_pad")->s != "NOTSET")
    fail(ctx, n, "auto_pad is not supported (write explicit pads)");
  const std::size_t out = w.shape()[0], k = w.shape()[2];
  const bool bias = n.inputs.size() > 2 && !n.inputs[2].empty();
  LayerSpec s = spec("conv2d", {{"out", double(out)}, {"kernel", double(k)}});
  s.numbers["stride"] = double(same(ctx, n, "strides", n.ints_or("strides", {1, 1})));
  s.numbers["padding"] = double(same(ctx, n, "pads", n.ints_or("pads", {0, 0, 0, 0})));
  s.numbers["dilation"] = double(same(ctx, n, "dilations", n.ints_or("dilations", {1, 1})));
  s.numbers["groups"] = double(n.int_or("group", 1));
  s.numbers["bias"] = bias ? 1.0 : 0.0;
  ctx.parameters.push_back(std::move(w));
  if (bias) ctx.parameters.push_back(constant(ctx, n, 2));
  return s;
}

// poda's BatchNorm has eps 1e-5; another eps is moved into the running variance, exactly.
LayerSpec batch_norm(const OnnxNode& n, OpContext& ctx) {
  ctx.parameters.push_back(constant(ctx, n, 1));  // gamma
  ctx.parameters.push_back(constant(ctx, n, 2));  // beta
  ctx.buffers.push_back(constant(ctx, n, 3));     // running mean
  Array var = constant(ctx, n, 4);
  var += n.float_or("epsilon", 1e-5f) - 1e-5f;
  ctx.buffers.push_back(std::move(var));
  return spec("batchnorm");
}

// A node's attribute outside what poda's layer computes: refused, naming it.
[[noreturn]] void refuse(const OpContext& ctx, const OnnxNode& n, const std::string& attribute,
                         const std::string& why) {
  fail(ctx, n, "attribute '" + attribute + "' " + why);
}

// The symmetric padding of a pool's window: explicit pads, or auto_pad. SAME_UPPER and
// SAME_LOWER pad kernel - 1 in all, which splits evenly (and does not depend on the input's
// size) only at stride 1 with an odd kernel.
std::size_t pool_padding(const OpContext& ctx, const OnnxNode& n, std::size_t k,
                         std::size_t stride) {
  const OnnxAttribute* auto_pad = n.attribute("auto_pad");
  const std::string mode = auto_pad ? auto_pad->s : "NOTSET";
  if (mode == "NOTSET") return same(ctx, n, "pads", n.ints_or("pads", {0, 0, 0, 0}));
  if (n.attribute("pads")) refuse(ctx, n, "pads", "cannot be given with auto_pad = " + mode);
  if (mode == "VALID") return 0;
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER")
    refuse(ctx, n, "auto_pad", "'" + mode + "' is not an ONNX padding mode");
  if (stride != 1 || k % 2 == 0)
    refuse(ctx, n, "auto_pad",
           mode + " with stride " + std::to_string(stride) + " and kernel " + std::to_string(k) +
               " pads unevenly; poda pads both sides alike (write explicit pads)");
  return (k - 1) / 2;
}

LayerSpec pool(const std::string& type, const OnnxNode& n, OpContext& ctx) {
  const auto kernel = n.ints_or("kernel_shape", {});
  if (kernel.size() != 2)
    refuse(ctx, n, "kernel_shape", "must have 2 values: poda pools 2-d windows");
  const std::size_t k = same(ctx, n, "kernel_shape", kernel);
  if (k == 0) refuse(ctx, n, "kernel_shape", "must be at least 1");
  const std::size_t stride = same(ctx, n, "strides", n.ints_or("strides", {1, 1}));
  if (stride == 0) refuse(ctx, n, "strides", "must be at least 1");
  if (same(ctx, n, "dilations", n.ints_or("dilations", {1, 1})) != 1)
    refuse(ctx, n, "dilations", "other than 1 is not supported (poda's pools are dense windows)");
  if (n.int_or("ceil_mode", 0) != 0)
    refuse(ctx, n, "ceil_mode", "= 1 is not supported (poda rounds the output size down)");
  if (n.outputs.size() > 1) fail(ctx, n, "a second output (Indices) is not supported");
  const std::size_t p = pool_padding(ctx, n, k, stride);
  if (2 * p > k)
    refuse(ctx, n, "pads",
           std::to_string(p) + " is more than half the kernel " + std::to_string(k) +
               " (poda's pools pad at most that)");
  if (type == "avgpool2d" && p > 0 && n.int_or("count_include_pad", 0) == 0)
    refuse(ctx, n, "count_include_pad",
           "= 0 with padding is not supported (poda averages over padding as zeros)");
  return spec(type, {{"kernel", double(k)}, {"stride", double(stride)}, {"padding", double(p)}});
}

// Reshape to (N, -1) or (0, -1): a flatten; any other shape is not a poda layer.
LayerSpec reshape(const OnnxNode& n, OpContext& ctx) {
  auto it = n.inputs.size() > 1 ? ctx.constants.find(n.inputs[1]) : ctx.constants.end();
  if (it == ctx.constants.end() || !it->second->is_int64 || it->second->ints.size() != 2 ||
      it->second->ints[1] != -1)
    fail(ctx, n, "only a Reshape to a constant (batch, -1) is a Flatten");
  return spec("flatten");
}

}  // namespace

std::optional<LayerSpec> convert_node(const OnnxNode& n, OpContext& ctx) {
  const std::string& op = n.op_type;
  if (op == "Gemm") return gemm(n, ctx);
  if (op == "MatMul") return matmul(n, ctx);
  if (op == "Conv") return conv(n, ctx);
  if (op == "BatchNormalization") return batch_norm(n, ctx);
  if (op == "Relu") return spec("relu");
  if (op == "Tanh") return spec("tanh");
  if (op == "Sigmoid") return spec("sigmoid");
  if (op == "MaxPool") return pool("maxpool2d", n, ctx);
  if (op == "AveragePool") return pool("avgpool2d", n, ctx);
  if (op == "GlobalAveragePool") return spec("global_avgpool");
  if (op == "Flatten") {
    if (n.int_or("axis", 1) != 1) fail(ctx, n, "only axis = 1 is a poda flatten");
    return spec("flatten");
  }
  if (op == "Reshape") return reshape(n, ctx);
  if (op == "Dropout" && n.inputs.size() > 2 && !n.inputs[2].empty())
    fail(ctx, n, "input 'training_mode' is not supported (poda imports inference graphs)");
  if (op == "Dropout" || op == "Identity") return std::nullopt;
  if (op == "Add") fail(ctx, n, "an Add that is neither a residual join nor a MatMul's bias");
  if (op == "Clip")  // torch's ReLU6 and hardtanh export as Clip
    fail(ctx, n, "Clip (ReLU6, a clamp) is not supported: poda has no clipping activation");
  fail(ctx, n, "unsupported op: poda has no layer for " + op);
}

bool add_matmul_bias(LayerSpec& dense, const OnnxNode& add, const std::string& matmul_out,
                     OpContext& ctx) {
  const std::string& other = add.inputs.at(add.inputs[0] == matmul_out ? 1 : 0);
  auto it = ctx.constants.find(other);
  const std::size_t out = static_cast<std::size_t>(dense.numbers.at("out"));
  if (it == ctx.constants.end() || it->second->is_int64 || it->second->floats.size() != out)
    return false;
  ctx.parameters.push_back(Array(xt::adapt(it->second->floats, Shape{out})));
  dense.numbers["bias"] = 1.0;
  return true;
}

}  // namespace poda
