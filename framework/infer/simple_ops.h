#pragma once
// The parameter-light steps of an inference plan: activations, a per-channel affine (a
// BatchNorm that could not be folded), pooling, layout transposes and the residual sum.
#include <string>
#include <vector>

#include "infer/op.h"

namespace poda {

// In place or slot to slot, any layout: y = f(x) elementwise.
class ActivationOp : public InferOp {
 public:
  using Fn = void (*)(const float* x, float* y, std::size_t n);
  ActivationOp(std::string name, Fn fn) : name_(std::move(name)), fn_(fn) {}
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return name_; }
  static void relu(const float* x, float* y, std::size_t n);
  static void tanh(const float* x, float* y, std::size_t n);
  static void sigmoid(const float* x, float* y, std::size_t n);

 private:
  std::string name_;
  Fn fn_;
};

// y[c, ...] = x[c, ...] * scale[c] + shift[c], channel c = feature / (features / C).
class ChannelAffineOp : public InferOp {
 public:
  ChannelAffineOp(std::vector<float> scale, std::vector<float> shift)
      : scale_(std::move(scale)), shift_(std::move(shift)) {}
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return "BatchNorm (not folded)"; }

 private:
  std::vector<float> scale_, shift_;
};

// (B, C, H, W) -> (B, C, H_out, W_out): the max (padding never wins) or the mean (padding
// counted as zeros) of each window.
class Pool2dOp : public InferOp {
 public:
  Pool2dOp(bool max, std::size_t kernel, std::size_t stride, std::size_t padding)
      : max_(max), kernel_(kernel), stride_(stride), padding_(padding) {}
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;

 private:
  void plane(const float* x, float* y) const;  // one (H, W) -> (H_out, W_out)
  bool max_;
  std::size_t kernel_, stride_, padding_;
};

// (B, C, H, W) -> (B, C)
class GlobalAvgPoolOp : public InferOp {
 public:
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return "GlobalAvgPool"; }
};

// (B, n) <-> (n, B); `layout` is the layout produced.
class TransposeOp : public InferOp {
 public:
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override;
};

// y = x + other, same layout (the end of a residual block).
class AddOp : public InferOp {
 public:
  void run(Workspace& ws, std::size_t batch) override;
  std::string describe() const override { return "residual sum"; }
};

}  // namespace poda
