#include "nn/layers/pool2d.h"

#include "core/ops.h"

namespace poda {

Pool2d::Pool2d(std::string type, std::size_t kernel, std::size_t stride, std::size_t padding)
    : kernel_(kernel),
      stride_(stride ? stride : kernel),
      padding_(padding),
      type_(std::move(type)) {
  if (kernel == 0) throw std::invalid_argument(type_ + ": kernel must be positive");
}

std::string Pool2d::describe() const {
  return type_ + "(kernel " + std::to_string(kernel_) + ", stride " + std::to_string(stride_) +
         (padding_ ? ", padding " + std::to_string(padding_) : "") + ")";
}

Shape Pool2d::output_shape(const Shape& input) const {
  if (input.size() != 3)
    throw ShapeError(type_ + " expects input (C, H, W) but gets " + shape_str(input));
  if (2 * padding_ > kernel_)
    throw ShapeError(type_ + " padding " + std::to_string(padding_) +
                     " is more than half the kernel " + std::to_string(kernel_));
  const std::size_t oh = conv_out_size(input[1], kernel_, stride_, padding_, 1);
  const std::size_t ow = conv_out_size(input[2], kernel_, stride_, padding_, 1);
  if (oh == 0 || ow == 0)
    throw ShapeError(type_ + " kernel " + std::to_string(kernel_) + "x" + std::to_string(kernel_) +
                     " is larger than input " + shape_str(input) + " padded by " +
                     std::to_string(padding_));
  return {input[0], oh, ow};
}

}  // namespace poda
