#include "nn/layers/avg_pool2d.h"

#include <string>

#include "core/ops.h"
#include "nn/layer_spec.h"
#include "nn/layers/max_pool2d.h"

namespace poda {

AvgPool2d::AvgPool2d(std::size_t kernel, std::size_t stride, std::size_t padding)
    : kernel_(kernel), stride_(stride ? stride : kernel), padding_(padding) {
  if (kernel == 0) throw std::invalid_argument("AvgPool2d: kernel must be positive");
}

Variable AvgPool2d::forward(const Variable& x) { return avg_pool2d(x, kernel_, stride_, padding_); }

std::string AvgPool2d::describe() const {
  return "AvgPool2d(kernel " + std::to_string(kernel_) + ", stride " + std::to_string(stride_) +
         (padding_ ? ", padding " + std::to_string(padding_) : "") + ")";
}

Shape AvgPool2d::output_shape(const Shape& input) const {
  return pooled_shape("AvgPool2d", input, kernel_, stride_, padding_);
}

namespace {
const LayerTypeRegistrar avgpool2d_type(
    "avgpool2d",
    {{{"kernel", KeyKind::count}, {"stride", KeyKind::count}, {"padding", KeyKind::count}},
     [](const LayerSpec& spec, const Shape&, BuildContext&) -> ModulePtr {
       return std::make_shared<AvgPool2d>(spec.count("kernel"), spec.count_or("stride", 0),
                                          spec.count_or("padding", 0));
     },
     "average pooling: kernel, [stride: kernel], [padding: 0]"});
}  // namespace

}  // namespace poda
