#pragma once
#include "nn/module.h"

namespace poda {

// (B, C, H, W) -> (B, C, H_out, W_out): the maximum of each kernel x kernel window.
class MaxPool2d : public Module {
 public:
  // stride 0 means stride = kernel (non-overlapping windows).
  MaxPool2d(std::size_t kernel, std::size_t stride, std::size_t padding);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "MaxPool2d"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;

 private:
  std::size_t kernel_, stride_, padding_;
};

// Shared by the pooling layers: the pooled shape, or a ShapeError naming the layer and shapes.
Shape pooled_shape(const std::string& layer, const Shape& input, std::size_t kernel,
                   std::size_t stride, std::size_t padding);

}  // namespace poda
