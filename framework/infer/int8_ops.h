#pragma once
// Dense and Conv2d layers of an inference plan run in int8: the input quantized on the
// layer's calibrated uint8 grid, weights on their per-channel int8 grid (kernels/quant_params.h),
// exact integer sums, then back to float with the zero-point correction and the bias:
//   y[n] = s_x * s_w[n] * (acc[n] - z_x * sum_k q_w[n, k]) + b[n].
// Both are batch-major. Int8DenseOp's two paths are the packed int8 GEMM (VNNI where the CPU
// has it) and the sparse int8 GEMM, so the plan's dispatch picks between them per layer as
// it does for fp32; Int8ConvOp runs the packed int8 convolution (kernels/conv_int8.h). Each
// also holds its fp32 kernel (an fp32 GEMM; for a convolution a ConvOp with its GEMM and
// direct kernels), which the plan times against the int8 one and runs where faster.
// The weights are quantized at the first reserve(), after any BatchNorm was folded in.
#include <map>
#include <memory>
#include <string>

#include "kernels/gemm_int8.h"
#include "kernels/conv_int8.h"
#include "infer/linear_ops.h"
#include "quantize/int8_linear.h"

namespace poda {

// The calibrated input grid of each layer run in int8, by its dotted name ("fc1").
using Int8Inputs = std::map<std::string, QuantGrid>;

class Int8DenseOp : public LinearOp {
 public:
  Int8DenseOp(std::string name, Array weight, Array bias, QuantGrid input_grid);
  void reserve(std::size_t batch) override;
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
  std::string sparse_unsupported() const override { return ""; }
  std::size_t macs() const override { return weight_.size(); }
  bool fuse_relu() override { return relu_ = true; }  // in the dequantizing epilogue
  bool has_fp32_fallback() const override { return true; }

 private:
  QuantGrid input_grid_;
  bool built_ = false;
  Int8Linear dense_, sparse_;
};

class Int8ConvOp : public LinearOp {
 public:
  // groups must be 1 (the builder keeps fp32 otherwise).
  Int8ConvOp(std::string name, Array weight, Array bias, const ConvGeometry& g, const Shape& input,
             QuantGrid input_grid);
  void reserve(std::size_t batch) override;
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
  std::string sparse_unsupported() const override { return "int8 Conv2d runs the packed GEMM"; }
  std::size_t macs() const override;
  bool has_fp32_fallback() const override { return true; }
  bool has_direct(std::size_t batch) const override { return fp32_->has_direct(batch); }
  // In the dequantizing epilogue, and in the fp32 kernel's, so the two stay comparable.
  bool fuse_relu() override { return relu_ = true; }
  bool fuse_max_pool2x2() override;

 private:
  Int8ConvShape shape_;  // batch set per run
  ConvGeometry geometry_;
  std::unique_ptr<ConvOp> fp32_;  // the fp32 kernels, on the folded weights
  std::size_t c_out_, pixels_;
  QuantGrid input_grid_;
  bool built_ = false;
  PackedInt8Weights packed_;
  std::vector<float> output_scale_;            // (C_out): s_x * s_w[n]
  std::vector<std::int32_t> zero_point_term_;  // (C_out): z_x * sum_k q_w[n, k]
  std::vector<std::uint8_t> qx_;               // (B, C_in, H, W)
  std::vector<std::int32_t> acc_;              // (B, C_out, H_out, W_out)
  bool pool_ = false;                          // a fused 2x2 max pooling
  std::vector<float> full_;                    // (C_out, H_out * W_out): one sample, when pooling
};

}  // namespace poda
