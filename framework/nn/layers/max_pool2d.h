#pragma once
#include "nn/lowering.h"
#include "nn/layers/pool2d.h"

namespace poda {

// (B, C, H, W) -> (B, C, H_out, W_out): the maximum of each kernel x kernel window.
class MaxPool2d : public Pool2d {
 public:
  MaxPool2d(std::size_t kernel, std::size_t stride, std::size_t padding)
      : Pool2d("MaxPool2d", kernel, stride, padding) {}
  Variable forward(const Variable& x) override;
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
};

}  // namespace poda
