#include "nn/layers/max_pool2d.h"

#include <string>

#include "core/ops.h"
#include "nn/layer_spec.h"

namespace poda {

Shape pooled_shape(const std::string& layer, const Shape& input, std::size_t kernel,
                   std::size_t stride, std::size_t padding) {
  if (input.size() != 3)
    throw ShapeError(layer + " expects input (C, H, W) but gets " + shape_str(input));
  if (2 * padding > kernel)
    throw ShapeError(layer + " padding " + std::to_string(padding) +
                     " is more than half the kernel " + std::to_string(kernel));
  const std::size_t oh = conv_out_size(input[1], kernel, stride, padding, 1);
  const std::size_t ow = conv_out_size(input[2], kernel, stride, padding, 1);
  if (oh == 0 || ow == 0)
    throw ShapeError(layer + " kernel " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                     " is larger than input " + shape_str(input) + " padded by " +
                     std::to_string(padding));
  return {input[0], oh, ow};
}

MaxPool2d::MaxPool2d(std::size_t kernel, std::size_t stride, std::size_t padding)
    : kernel_(kernel), stride_(stride ? stride : kernel), padding_(padding) {
  if (kernel == 0) throw std::invalid_argument("MaxPool2d: kernel must be positive");
}

Variable MaxPool2d::forward(const Variable& x) { return max_pool2d(x, kernel_, stride_, padding_); }

std::string MaxPool2d::describe() const {
  return "MaxPool2d(kernel " + std::to_string(kernel_) + ", stride " + std::to_string(stride_) +
         (padding_ ? ", padding " + std::to_string(padding_) : "") + ")";
}

Shape MaxPool2d::output_shape(const Shape& input) const {
  return pooled_shape("MaxPool2d", input, kernel_, stride_, padding_);
}

namespace {
const LayerTypeRegistrar maxpool2d_type(
    "maxpool2d",
    {{{"kernel", KeyKind::count}, {"stride", KeyKind::count}, {"padding", KeyKind::count}},
     [](const LayerSpec& spec, const Shape&, BuildContext&) -> ModulePtr {
       return std::make_shared<MaxPool2d>(spec.count("kernel"), spec.count_or("stride", 0),
                                          spec.count_or("padding", 0));
     },
     "max pooling: kernel, [stride: kernel], [padding: 0]"});
}  // namespace

}  // namespace poda
