#pragma once
#include "nn/module.h"

namespace poda {

// (B, C, H, W) -> (B, C, H_out, W_out): the mean of each kernel x kernel window, padding
// counted as zeros (PyTorch's default count_include_pad).
class AvgPool2d : public Module {
 public:
  // stride 0 means stride = kernel (non-overlapping windows).
  AvgPool2d(std::size_t kernel, std::size_t stride, std::size_t padding);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;

 private:
  std::size_t kernel_, stride_, padding_;
};

}  // namespace poda
