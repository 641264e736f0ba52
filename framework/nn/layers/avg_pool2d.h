#pragma once
#include "nn/lowering.h"
#include "nn/layers/pool2d.h"

namespace poda {

// (B, C, H, W) -> (B, C, H_out, W_out): the mean of each kernel x kernel window, padding
// counted as zeros (PyTorch's default count_include_pad).
class AvgPool2d : public Pool2d {
 public:
  AvgPool2d(std::size_t kernel, std::size_t stride, std::size_t padding)
      : Pool2d("AvgPool2d", kernel, stride, padding) {}
  Variable forward(const Variable& x) override;
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
};

}  // namespace poda
