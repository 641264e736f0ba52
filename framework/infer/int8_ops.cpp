#include "infer/int8_ops.h"

#include <limits>

#include "core/gemm.h"
#include "kernels/direct_kernels.h"
#include "kernels/int8_convert.h"

namespace poda {

// ---- Dense ----

Int8DenseOp::Int8DenseOp(std::string name, Array weight, Array bias, QuantGrid input_grid)
    : LinearOp(std::move(name), std::move(weight), std::move(bias)),
      input_grid_(std::move(input_grid)) {
  in_shape = {weight_.shape()[1]};
  out_shape = {weight_.shape()[0]};
  layout = Layout::batch_major;
}

void Int8DenseOp::reserve(std::size_t) {
  if (built_) return;
  const std::size_t out = weight_.shape()[0], in = weight_.shape()[1];
  dense_ = make_int8_linear(weight_.data(), out, in, bias_, input_grid_, false, relu_);
  sparse_ = make_int8_linear(weight_.data(), out, in, bias_, input_grid_, true, relu_);
  built_ = true;
}

void Int8DenseOp::run(Workspace& ws, std::size_t batch) {
  // x (B, in) -> y (B, out)
  if (fp32_fallback_) {  // y = x · W^T + b
    const std::size_t out = weight_.shape()[0], in = weight_.shape()[1];
    float* y = ws.slot(this->out);
    gemm(false, true, batch, out, in, 1.0f, ws.slot(this->in), weight_.data(), 0.0f, y);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t n = 0; n < out; ++n) {
        const float v = y[b * out + n] + bias_[n];
        y[b * out + n] = relu_ && !(v > 0.0f) ? 0.0f : v;
      }
    return;
  }
  int8_linear_forward(path_ == KernelPath::sparse ? sparse_ : dense_, ws.slot(in), batch,
                      ws.slot(out));
}

std::string Int8DenseOp::describe() const {
  return "Dense int8(" + std::to_string(weight_.shape()[1]) + " -> " +
         std::to_string(weight_.shape()[0]) + ")" + (relu_ ? " + ReLU" : "");
}

// ---- Conv2d ----

Int8ConvOp::Int8ConvOp(std::string name, Array weight, Array bias, const ConvGeometry& g,
                       const Shape& input, QuantGrid input_grid)
    : LinearOp(std::move(name), std::move(weight), std::move(bias)),
      input_grid_(std::move(input_grid)) {
  shape_.channels = input.at(0);
  shape_.height = input.at(1);
  shape_.width = input.at(2);
  shape_.kernel_h = shape_.kernel_w = g.kernel;
  shape_.options = {g.stride, g.padding, g.dilation, 1};
  c_out_ = weight_.shape()[0];
  pixels_ = shape_.out_h() * shape_.out_w();
  in_shape = input;
  out_shape = {c_out_, shape_.out_h(), shape_.out_w()};
  layout = Layout::batch_major;
  geometry_ = g;
  // Built on the unfolded weights only to answer has_direct() before reserve(), which
  // rebuilds it on the folded ones.
  fp32_ = std::make_unique<ConvOp>(name_, Array(weight_), Array(), g, input);
}

void Int8ConvOp::reserve(std::size_t batch) {
  qx_.resize(batch * numel(in_shape));
  acc_.resize(batch * c_out_ * pixels_);
  if (built_) return;
  Array bias = xt::zeros<float>({c_out_});
  std::copy(bias_.begin(), bias_.end(), bias.begin());
  fp32_ = std::make_unique<ConvOp>(name_, Array(weight_), std::move(bias), geometry_, in_shape);
  if (relu_) fp32_->fuse_relu();
  if (pool_) fp32_->fuse_max_pool2x2();
  fp32_->in = in;
  fp32_->out = out;
  fp32_->finalise();
  const std::size_t per_channel = weight_.size() / c_out_;
  const QuantGrid w_grid = weight_grid(weight_.data(), c_out_, per_channel);
  const std::vector<std::int8_t> q = quantize_weight(weight_.data(), w_grid, per_channel);
  packed_ = pack_int8_weights(q.data(), c_out_, per_channel);
  for (std::size_t n = 0; n < c_out_; ++n) {
    output_scale_.push_back(input_grid_.scale[0] * w_grid.scale[n]);
    zero_point_term_.push_back(input_grid_.zero_point[0] * packed_.row_sum[n]);
  }
  built_ = true;
}

void Int8ConvOp::run(Workspace& ws, std::size_t batch) {
  if (fp32_fallback_) {
    fp32_->set_dense_kernel(dense_kernel_);
    fp32_->run(ws, batch);
    return;
  }
  const int z_x = input_grid_.zero_point[0];
  quantize_activations(ws.slot(in), batch * numel(in_shape), input_grid_.scale[0], z_x,
                       qx_.data());
  Int8ConvShape shape = shape_;
  shape.batch = batch;
  conv2d_u8s8(qx_.data(), shape, static_cast<std::uint8_t>(z_x), packed_, acc_.data());
  float* y = ws.slot(out);  // (B, out_shape...): (C_out, H_out, W_out), pooled or not
  const Int8Epilogue epilogue{output_scale_.data(), zero_point_term_.data(), bias_.data(), relu_};
  const std::size_t out_numel = numel(out_shape);
  for (std::size_t b = 0; b < batch; ++b) {
    const std::int32_t* sample = acc_.data() + b * c_out_ * pixels_;  // (C_out, H_out * W_out)
    if (!pool_) {
      dequantize_channels(sample, c_out_, pixels_, epilogue, y + b * out_numel);
      continue;
    }
    // Dequantized into one sample's planes (cache-resident), pooled from there: the separate
    // MaxPool2d step read the whole batch's planes back from memory (LeNet-5's conv1: its
    // int8 kernel lost to the fp32 one, whose pooling was fused, by that step alone).
    dequantize_channels(sample, c_out_, pixels_, epilogue, full_.data());
    const std::size_t ow = shape_.out_w();
    max_pool2x2(full_.data(), ow, pixels_, c_out_, shape_.out_h() / 2, ow / 2,
                relu_ ? 0.0f : -std::numeric_limits<float>::infinity(), y + b * out_numel);
  }
}

bool Int8ConvOp::fuse_max_pool2x2() {
  if (pool_ || shape_.out_h() < 2 || shape_.out_w() < 2) return false;
  pool_ = true;
  out_shape = {c_out_, shape_.out_h() / 2, shape_.out_w() / 2};
  full_.resize(c_out_ * pixels_);
  return true;
}

std::string Int8ConvOp::describe() const {
  return "Conv2d int8(" + std::to_string(shape_.channels) + " -> " + std::to_string(c_out_) +
         ", k" + std::to_string(shape_.kernel_h) + ")" + (relu_ ? " + ReLU" : "") +
         (pool_ ? " + MaxPool2d(2)" : "");
}

std::size_t Int8ConvOp::macs() const {
  return weight_.size() * pixels_;
}

}  // namespace poda
