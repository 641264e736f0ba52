#include "nn/layers/conv2d.h"

#include <stdexcept>
#include <string>

#include "nn/layer_spec.h"
#include "nn/layers/activation.h"

namespace poda {

Conv2d::Conv2d(const Conv2dSettings& s, Init init, Rng& rng)
    : settings_(s), options_{s.stride, s.padding, s.dilation, s.groups} {
  if (s.in_channels == 0 || s.out_channels == 0 || s.kernel == 0 || s.stride == 0 ||
      s.dilation == 0 || s.groups == 0)
    throw std::invalid_argument(
        "Conv2d: channels, kernel, stride, dilation and groups must be "
        "positive");
  if (s.in_channels % s.groups || s.out_channels % s.groups)
    throw std::invalid_argument("Conv2d: groups " + std::to_string(s.groups) +
                                " must divide input channels " + std::to_string(s.in_channels) +
                                " and output channels " + std::to_string(s.out_channels));
  const std::size_t cin_g = s.in_channels / s.groups;
  weight_ = &register_parameter(
      "weight", init_weight({s.out_channels, cin_g, s.kernel, s.kernel}, init, rng), true);
  if (s.bias)
    bias_ = &register_parameter(
        "bias", init_bias(s.out_channels, cin_g * s.kernel * s.kernel, init, rng), false);
}

Variable Conv2d::forward(const Variable& x) {
  if (Variable y = sparse_forward(x); y.defined()) return y;
  return conv2d(x, weight_->effective(), bias_ ? bias_->effective() : Variable(), options_);
}

Variable Conv2d::forward_fused_with(const Variable& x, const Module& next) {
  if (!dynamic_cast<const ReLU*>(&next)) return {};
  if (Variable y = sparse_forward(x); y.defined()) return relu(y);
  return conv2d_relu(x, weight_->effective(), bias_ ? bias_->effective() : Variable(), options_);
}

std::string Conv2d::describe() const {
  const Conv2dSettings& s = settings_;
  std::string d = "Conv2d(" + std::to_string(s.in_channels) + " -> " +
                  std::to_string(s.out_channels) + ", kernel " + std::to_string(s.kernel);
  if (s.stride != 1) d += ", stride " + std::to_string(s.stride);
  if (s.padding) d += ", padding " + std::to_string(s.padding);
  if (s.dilation != 1) d += ", dilation " + std::to_string(s.dilation);
  if (s.groups != 1) d += ", groups " + std::to_string(s.groups);
  return d + (s.bias ? "" : ", no bias") + ")";
}

Shape Conv2d::output_shape(const Shape& input) const {
  const Conv2dSettings& s = settings_;
  if (input.size() != 3 || input[0] != s.in_channels)
    throw ShapeError("Conv2d expects input (" + std::to_string(s.in_channels) +
                     ", H, W) but gets " + shape_str(input));
  const std::size_t oh = conv_out_size(input[1], s.kernel, s.stride, s.padding, s.dilation);
  const std::size_t ow = conv_out_size(input[2], s.kernel, s.stride, s.padding, s.dilation);
  if (oh == 0 || ow == 0)
    throw ShapeError("Conv2d kernel " + std::to_string(s.kernel) + "x" + std::to_string(s.kernel) +
                     " (dilation " + std::to_string(s.dilation) + ") is larger than input " +
                     shape_str(input) + " padded by " + std::to_string(s.padding));
  return {s.out_channels, oh, ow};
}

std::size_t Conv2d::macs(const Shape& input) const {
  const Shape out = output_shape(input);
  const std::size_t per_output =
      settings_.in_channels / settings_.groups * settings_.kernel * settings_.kernel;
  return numel(out) * per_output;
}

std::size_t Conv2d::effective_macs(const Shape& input) const {
  // Every surviving weight is used once per output position.
  const Shape out = output_shape(input);
  return count_nonzero_effective(*weight_) * out[1] * out[2];
}

ModulePtr Conv2d::compacted(const std::vector<std::size_t>& in,
                            const std::vector<std::size_t>& out) const {
  // A depthwise conv (one input channel and one filter per group) stays depthwise when it
  // keeps the same channels on both sides, and a grouped conv keeping all of them is copied;
  // any other cut of a grouped conv would change its groups.
  const std::size_t groups = settings_.groups, in_per_group = settings_.in_channels / groups;
  const bool depthwise = groups == settings_.in_channels && groups == settings_.out_channels;
  const bool whole = in.size() == settings_.in_channels && out.size() == settings_.out_channels;
  if (groups != 1 && !(depthwise && in == out) && !whole) return nullptr;
  Conv2dSettings s = settings_;
  s.in_channels = in.size();
  s.out_channels = out.size();
  s.groups = depthwise ? out.size() : groups;
  Rng rng(0);  // the initial values are all overwritten
  auto c = std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng);
  std::vector<std::size_t> cols = in;  // columns of the (C_out, C_in/groups, k) weight
  if (groups != 1) {
    cols.resize(in_per_group);
    for (std::size_t i = 0; i < in_per_group; ++i) cols[i] = i;
  }
  gather_effective(*weight_, out, cols, in_per_group, s.kernel * s.kernel, c->weight());
  if (bias_) gather_effective(*bias_, out, {0}, 1, 1, *c->bias());
  return c;
}

namespace {
const LayerTypeRegistrar conv2d_type(
    "conv2d",
    {{{"out", KeyKind::count},
      {"kernel", KeyKind::count},
      {"stride", KeyKind::count},
      {"padding", KeyKind::count},
      {"dilation", KeyKind::count},
      {"groups", KeyKind::count},
      {"bias", KeyKind::flag},
      {"init", KeyKind::text}},
     [](const LayerSpec& spec, const Shape& input, BuildContext& ctx) -> ModulePtr {
       if (input.size() != 3)
         throw ShapeError("Conv2d expects input (C, H, W) but gets " + shape_str(input));
       Conv2dSettings s;
       s.in_channels = input[0];
       s.out_channels = spec.count("out");
       s.kernel = spec.count("kernel");
       s.stride = spec.count_or("stride", 1);
       s.padding = spec.count_or("padding", 0);
       s.dilation = spec.count_or("dilation", 1);
       s.groups = spec.count_or("groups", 1);
       s.bias = spec.flag_or("bias", true);
       if (s.groups == 0 || s.in_channels % s.groups || s.out_channels % s.groups)
         throw ShapeError("Conv2d groups " + std::to_string(s.groups) +
                          " must divide the input channels of " + shape_str(input) +
                          " and the output channels (" + std::to_string(s.out_channels) + ")");
       const Init init =
           spec.strings.count("init") ? parse_init(spec.strings.at("init")) : ctx.init;
       return std::make_shared<Conv2d>(s, init, ctx.rng);
     },
     "2-D convolution: out, kernel, [stride: 1], [padding: 0], [dilation: 1], [groups: 1], "
     "[bias: true], [init]"});
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void Conv2d::lower(Lowering& to) {
  const Conv2dSettings& s = settings_;
  to.conv2d(folded_value(*weight_), bias_ ? folded_value(*bias_) : Array(),
            {s.kernel, s.stride, s.padding, s.dilation, s.groups});
}

}  // namespace poda
