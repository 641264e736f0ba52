#pragma once
// Dense and Conv2d layers of an inference plan, each holding both kernels: dense (the folded
// weights, through OpenBLAS GEMM or a direct kernel, kernels/direct_kernels.h) and sparse (CSR,
// kernels/sparse_kernels.h). The plan chooses per layer and batch size (infer/plan.h); a
// BatchNorm that follows is folded in first, a ReLU that follows runs in the layer's epilogue.
#include <cstdint>
#include <string>
#include <vector>

#include "core/aligned_allocator.h"
#include "kernels/csr.h"
#include "kernels/dense_batch_kernels.h"
#include "infer/op.h"
#include "nn/lowering.h"

namespace poda {

enum class KernelPath { dense, sparse };
// How the dense path runs: the GEMM library (im2col first for a convolution) or a direct
// kernel without either's fixed costs (for a Dense at batch > 1: the batched kernel over
// weights packed once, kernels/dense_batch_kernels.h).
enum class DenseKernel { gemm, direct };
const char* dense_kernel_name(DenseKernel k);

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
  // Whether the dense path has a direct kernel at this batch size (the plan times it
  // against GEMM).
  virtual bool has_direct(std::size_t batch) const { return false; }
  // Takes over the ReLU that follows the layer; false when the layer cannot.
  virtual bool fuse_relu() { return false; }
  // Takes over a 2x2 max pooling at stride 2 that follows (out_shape becomes the pooled
  // shape); false when the layer cannot.
  virtual bool fuse_max_pool2x2() { return false; }
  const std::string& name() const { return name_; }
  void set_path(KernelPath p) { path_ = p; }
  KernelPath path() const { return path_; }
  void set_dense_kernel(DenseKernel k) { dense_kernel_ = k; }
  DenseKernel dense_kernel() const { return dense_kernel_; }
  const CsrMatrix& sparse() const { return csr_; }
  // An int8 layer's fp32 kernel (infer/int8_ops.h): the plan times the two and runs the fp32
  // one where it measured faster, so int8 never makes a layer slower.
  virtual bool has_fp32_fallback() const { return false; }
  void set_fp32_fallback(bool on) { fp32_fallback_ = on; }
  bool fp32_fallback() const { return fp32_fallback_; }
  std::size_t bytes_dense() const override {
    return (weight_.size() + bias_.size()) * sizeof(float);
  }
  std::size_t bytes_sparse() const override;

 protected:
  std::string name_;
  // folded, (out, in) or (C_out, C_in/groups, k, k); rows of a multiple of 16 floats then
  // start on cache lines too, as the vector kernels load them
  xt::xarray<float, xt::layout_type::row_major, AlignedAllocator<float>> weight_;
  std::vector<float> bias_;               // (out), zeros when the layer has none
  std::vector<std::int32_t> col_offset_;  // sparse: column -> input offset (see sparse_kernels.h)
  CsrMatrix csr_;
  KernelPath path_ = KernelPath::dense;
  DenseKernel dense_kernel_ = DenseKernel::gemm;
  bool relu_ = false;  // a fused ReLU
  bool fp32_fallback_ = false;
};

// y (out, B) = W (out, in) · x (in, B) + b, feature-major. Direct: the matrix-vector kernels
// at batch 1, the batched kernel on the packed weights above.
class DenseOp : public LinearOp {
 public:
  DenseOp(std::string name, Array weight, Array bias);
  void finalise() override;  // also the batch-1 slices and the packed weights
  bool has_direct(std::size_t) const override { return true; }
  bool fuse_relu() override { return relu_ = true; }
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
  std::string sparse_unsupported() const override;
  std::size_t macs() const override { return weight_.size(); }

 private:
  std::size_t in_, out_;
  std::vector<float, AlignedAllocator<float>> weight_t_;  // (in, out), for narrow layers
  PackedDense packed_;  // for the active kernel target when finalised
};

// y (B, C_out, H_out, W_out) = conv(x (B, C_in, H, W)) + b, batch-major, one sample at a time.
// The direct and sparse kernels run stride-1 convolutions on the padded plane.
class ConvOp : public LinearOp {
 public:
  ConvOp(std::string name, Array weight, Array bias, const ConvGeometry& g, const Shape& input);
  bool has_direct(std::size_t) const override { return sparse_unsupported().empty(); }
  bool fuse_relu() override { return relu_ = true; }
  bool fuse_max_pool2x2() override;
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
  std::string sparse_unsupported() const override;
  std::size_t macs() const override;

 private:
  void run_dense(const float* x, float* y);   // one sample: im2col, a GEMM per group
  void run_sparse(const float* x, float* y);  // one sample: padded plane, shifted sparse rows
  void run_direct(const float* x, float* y);  // one sample: padded plane, shifted dense rows
  const float* padded_plane(const float* x);  // (C_in, Hp, Wp): x itself without padding
  // y (C_out, out_shape...) from the full output src (C_out, H_out, W_out) with the given
  // row and channel strides: the fused ReLU and 2x2 max pooling, if any.
  void store(const float* src, std::size_t row_stride, std::size_t plane_stride, float* y) const;
  ConvGeometry g_;
  bool pool_ = false;        // a fused 2x2 max pooling
  std::vector<float> full_;  // (C_out, H_out * W_out): the GEMM's output when pooling
  std::size_t c_in_, h_, w_, c_out_, oh_, ow_, hp_, wp_;
  std::vector<float> cols_;             // (C_in * k * k, H_out * W_out)
  std::vector<float> padded_;           // (C_in, Hp, Wp)
  std::vector<float> wide_;             // (C_out, L): output rows Wp wide
  std::vector<std::int32_t> row_base_;  // (C_out): first input channel of the row's group
  // Up to this many filters the direct path shares input loads across output rows
  // (kernels/small_layer_kernels.h) rather than across filters.
  static constexpr std::size_t max_few_filters = 2;
  bool few_filters_ = false;
};

}  // namespace poda
