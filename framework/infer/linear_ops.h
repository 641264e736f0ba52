#pragma once
// Dense and Conv2d layers of an inference plan, each holding both kernels: dense (OpenBLAS
// GEMM on the folded weights) and sparse (CSR, infer/sparse_kernels.h). The plan chooses one
// per layer and batch size (infer/plan.h); a BatchNorm that follows is folded in first.
#include <cstdint>
#include <string>
#include <vector>

#include "infer/csr.h"
#include "infer/op.h"
#include "nn/lowering.h"

namespace poda {

enum class KernelPath { dense, sparse };
const char* kernel_path_name(KernelPath p);

class LinearOp : public InferOp {
 public:
  // weight (units, ...), bias (units) or empty.
  LinearOp(std::string name, Array weight, Array bias);
  // y * scale + shift folded into the weights and bias (an evaluation-mode BatchNorm).
  void fold_affine(const Array& scale, const Array& shift);
  // Builds the CSR copy; called once, after folding.
  virtual void finalise();
  // Why the sparse kernel cannot run this layer, or "" when it can.
  virtual std::string sparse_unsupported() const = 0;
  // Dense multiply-accumulates per sample.
  virtual std::size_t macs() const = 0;
  const std::string& name() const { return name_; }
  void set_path(KernelPath p) { path_ = p; }
  KernelPath path() const { return path_; }
  const CsrMatrix& sparse() const { return csr_; }
  std::size_t bytes_dense() const { return (weight_.size() + bias_.size()) * sizeof(float); }
  std::size_t bytes_sparse() const;

 protected:
  std::string name_;
  Array weight_;                          // folded, (out, in) or (C_out, C_in/groups, k, k)
  std::vector<float> bias_;               // (out), zeros when the layer has none
  std::vector<std::int32_t> col_offset_;  // sparse: column -> input offset (see sparse_kernels.h)
  CsrMatrix csr_;
  KernelPath path_ = KernelPath::dense;
};

// y (out, B) = W (out, in) · x (in, B) + b, feature-major.
class DenseOp : public LinearOp {
 public:
  DenseOp(std::string name, Array weight, Array bias);
  void finalise() override;  // also the batch-1 slices
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
  std::string sparse_unsupported() const override;
  std::size_t macs() const override { return weight_.size(); }

 private:
  std::size_t in_, out_;
};

// y (B, C_out, H_out, W_out) = conv(x (B, C_in, H, W)) + b, batch-major, one sample at a time.
class ConvOp : public LinearOp {
 public:
  ConvOp(std::string name, Array weight, Array bias, const ConvGeometry& g, const Shape& input);
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
  std::string sparse_unsupported() const override;
  std::size_t macs() const override;

 private:
  void run_dense(const float* x, float* y);   // one sample: im2col, a GEMM per group
  void run_sparse(const float* x, float* y);  // one sample: padded plane, shifted sparse rows
  ConvGeometry g_;
  std::size_t c_in_, h_, w_, c_out_, oh_, ow_, hp_, wp_;
  std::vector<float> cols_;             // (C_in * k * k, H_out * W_out)
  std::vector<float> padded_;           // (C_in, Hp, Wp)
  std::vector<float> wide_;             // (C_out, L): output rows Wp wide
  std::vector<std::int32_t> row_base_;  // (C_out): first input channel of the row's group
};

}  // namespace poda
