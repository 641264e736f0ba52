#include "infer/int8_ops.h"

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
}

void Int8ConvOp::reserve(std::size_t batch) {
  qx_.resize(batch * numel(in_shape));
  acc_.resize(batch * c_out_ * pixels_);
  if (built_) return;
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
  const int z_x = input_grid_.zero_point[0];
  quantize_activations(ws.slot(in), batch * numel(in_shape), input_grid_.scale[0], z_x,
                       qx_.data());
  Int8ConvShape shape = shape_;
  shape.batch = batch;
  conv2d_u8s8(qx_.data(), shape, static_cast<std::uint8_t>(z_x), packed_, acc_.data());
  float* y = ws.slot(out);  // (B, C_out, H_out * W_out)
  const Int8Epilogue epilogue{output_scale_.data(), zero_point_term_.data(), bias_.data(), false};
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t sample = b * c_out_ * pixels_;
    dequantize_channels(acc_.data() + sample, c_out_, pixels_, epilogue, y + sample);
  }
}

std::string Int8ConvOp::describe() const {
  return "Conv2d int8(" + std::to_string(shape_.channels) + " -> " + std::to_string(c_out_) +
         ", k" + std::to_string(shape_.kernel_h) + ")";
}

std::size_t Int8ConvOp::macs() const {
  return weight_.size() * pixels_;
}

}  // namespace poda
