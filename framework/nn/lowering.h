#pragma once
// How a layer folds into the inference path: the vocabulary of inference ops. A layer's
// lower() (nn/module.h) describes itself with these calls, its weights already masked
// (value ⊙ mask) and in evaluation mode, so whoever implements this interface (infer/'s plan
// builder) never sees a mask, a graph or a layer type. Dropout lowers to nothing.
#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace poda {

struct Parameter;

// A square convolution's geometry, the same along H and W.
struct ConvGeometry {
  std::size_t kernel = 1, stride = 1, padding = 0, dilation = 1, groups = 1;
};

// Multi-head self-attention's four projections, folded, each (D, D) with a (D) bias or empty.
struct AttentionWeights {
  std::size_t heads = 1;
  Array q_weight, q_bias, k_weight, k_bias, v_weight, v_bias, out_weight, out_bias;
};

class Lowering {
 public:
  virtual ~Lowering() = default;

  // y (out) = weight (out, in) · x (in) + bias (out); bias empty = none.
  virtual void dense(Array weight, Array bias) = 0;
  // y (C_out, H_out, W_out) = conv(x (C_in, H, W), weight (C_out, C_in/groups, k, k)) + bias.
  virtual void conv2d(Array weight, Array bias, const ConvGeometry& geometry) = 0;
  // y[c, ...] = x[c, ...] * scale[c] + shift[c]: an evaluation-mode BatchNorm.
  virtual void channel_affine(Array scale, Array shift) = 0;
  virtual void relu() = 0;
  virtual void tanh() = 0;
  virtual void sigmoid() = 0;
  // (C, H, W) -> (C, H_out, W_out); avg counts padding as zeros.
  virtual void max_pool2d(std::size_t kernel, std::size_t stride, std::size_t padding) = 0;
  virtual void avg_pool2d(std::size_t kernel, std::size_t stride, std::size_t padding) = 0;
  virtual void global_avg_pool() = 0;  // (C, H, W) -> (C)
  virtual void flatten() = 0;          // (d1, d2, ...) -> (d1 * d2 * ...)
  // y = body(x) + shortcut(x): begin, the body's ops, shortcut, the shortcut's ops (none for
  // the identity), end.
  virtual void residual_begin() = 0;
  virtual void residual_shortcut() = 0;
  virtual void residual_end() = 0;

  // ---- transformers (one sample is tokens (T, D)) ----
  // A backend without them (ONNX export so far) keeps these defaults, which throw
  // std::invalid_argument naming the layer.
  // Each token's features normalised, then * gamma + beta (D).
  virtual void layer_norm(Array gamma, Array beta, float eps);
  virtual void gelu();
  virtual void to_tokens();                    // (C, H, W) -> (H*W, C)
  virtual void prepend_token(Array token);     // (T, D) -> (T+1, D), token (D) first
  virtual void add_positions(Array position);  // (T, D) + position (T, D)
  virtual void token_pool(bool mean);          // (T, D) -> (D): token 0, or the mean
  // The layers lowered between begin and end run on every token as a row: (T, D) -> (T, D').
  virtual void tokenwise_begin();
  virtual void tokenwise_end();
  // (T, D) -> (T, D): multi-head self-attention.
  virtual void attention(AttentionWeights weights);

  // The dotted name of the layer being lowered ("fc1", "block1.body.conv1"), for logs.
  void push_name(const std::string& name) { names_.push_back(name); }
  void pop_name() { names_.pop_back(); }
  std::string layer_name() const;

 private:
  std::vector<std::string> names_;
};

// value ⊙ mask as a plain array (the value itself without a mask).
Array folded_value(const Parameter& p);

}  // namespace poda
