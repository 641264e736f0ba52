#include "infer/linear_ops.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "core/gemm.h"
#include "core/ops.h"
#include "kernels/direct_kernels.h"
#include "kernels/small_layer_kernels.h"
#include "kernels/sparse_kernels.h"

namespace poda {

const char* dense_kernel_name(DenseKernel k) {
  return k == DenseKernel::direct ? "direct" : "gemm";
}

namespace {

// y (rows, n) += bias (rows) per row, then ReLU when relu: the epilogue of a GEMM.
void add_bias(float* y, std::size_t rows, std::size_t n, const float* bias, bool relu) {
  for (std::size_t r = 0; r < rows; ++r) {
    float* yr = y + r * n;
    if (relu)
      for (std::size_t i = 0; i < n; ++i) yr[i] = std::max(yr[i] + bias[r], 0.0f);
    else
      for (std::size_t i = 0; i < n; ++i) yr[i] += bias[r];
  }
}

}  // namespace

LinearOp::LinearOp(std::string name, Array weight, Array bias)
    : name_(std::move(name)), weight_(std::move(weight)), bias_(weight_.shape()[0], 0.0f) {
  if (bias.size() == bias_.size()) std::copy(bias.begin(), bias.end(), bias_.begin());
}

void LinearOp::fold_affine(const Array& scale, const Array& shift) {
  const std::size_t units = bias_.size(), row = weight_.size() / units;
  float* w = weight_.data();
  for (std::size_t r = 0; r < units; ++r) {
    for (std::size_t i = 0; i < row; ++i) w[r * row + i] *= scale(r);
    bias_[r] = bias_[r] * scale(r) + shift(r);
  }
}

void LinearOp::finalise() {
  if (!sparse_unsupported().empty()) return;
  const std::size_t units = bias_.size();
  csr_ = csr_from_dense(weight_.data(), units, weight_.size() / units);
}

std::size_t LinearOp::bytes_sparse() const {
  if (!sparse_unsupported().empty()) return bytes_dense();
  return csr_.bytes() + bias_.size() * sizeof(float);
}

// ---- Dense ----

DenseOp::DenseOp(std::string name, Array weight, Array bias)
    : LinearOp(std::move(name), std::move(weight), std::move(bias)) {
  out_ = weight_.shape()[0];
  in_ = weight_.shape()[1];
  in_shape = {in_};
  out_shape = {out_};
  layout = Layout::feature_major;
}

void DenseOp::finalise() {
  LinearOp::finalise();
  if (sparse_unsupported().empty()) add_matvec_slices(csr_);
  packed_ = pack_dense(weight_.data(), out_, in_, bias_.data(), kernel_isa());
  weight_t_.clear();
  if (out_ > narrow_matvec_max_rows) return;
  weight_t_.resize(weight_.size());  // (in, out)
  for (std::size_t o = 0; o < out_; ++o)
    for (std::size_t i = 0; i < in_; ++i) weight_t_[i * out_ + o] = weight_.data()[o * in_ + i];
}

std::string DenseOp::sparse_unsupported() const {
  return in_ > max_csr_cols ? "more than 65536 inputs" : "";
}

std::string DenseOp::describe() const {
  return "Dense(" + std::to_string(in_) + " -> " + std::to_string(out_) + ")" +
         (relu_ ? " + ReLU" : "");
}

void DenseOp::run(Workspace& ws, std::size_t batch) {
  const float* x = ws.slot(in);  // (in, B)
  float* y = ws.slot(out);       // (out, B)
  if (path_ == KernelPath::sparse) {
    if (batch == 1) return sparse_matvec_act(csr_, bias_.data(), x, y, relu_);
    // The ReLU in the kernel's stores at every batch size.
    return sparse_rows_strided(csr_, bias_.data(), x, batch, batch, y, batch, relu_);
  }
  if (batch == 1 && dense_kernel_ == DenseKernel::direct && !weight_t_.empty())
    return matvec_narrow(weight_t_.data(), out_, in_, bias_.data(), x, y, relu_);
  if (batch == 1 && dense_kernel_ == DenseKernel::direct)
    return dense_matvec(weight_.data(), out_, in_, bias_.data(), x, y, relu_);
  if (dense_kernel_ == DenseKernel::direct) return dense_batch(packed_, x, batch, y, relu_);
  gemm(false, false, out_, batch, in_, 1.0f, weight_.data(), x, 0.0f, y);
  add_bias(y, out_, batch, bias_.data(), relu_);
}

// ---- Conv2d ----

ConvOp::ConvOp(std::string name, Array weight, Array bias, const ConvGeometry& g,
               const Shape& input)
    : LinearOp(std::move(name), std::move(weight), std::move(bias)), g_(g) {
  c_in_ = input.at(0);
  h_ = input.at(1);
  w_ = input.at(2);
  c_out_ = weight_.shape()[0];
  oh_ = conv_out_size(h_, g.kernel, g.stride, g.padding, g.dilation);
  ow_ = conv_out_size(w_, g.kernel, g.stride, g.padding, g.dilation);
  hp_ = h_ + 2 * g.padding;
  wp_ = w_ + 2 * g.padding;
  in_shape = input;
  out_shape = {c_out_, oh_, ow_};
  cols_.resize(c_in_ * g.kernel * g.kernel * oh_ * ow_);
  if (!sparse_unsupported().empty()) return;
  // Column (c, kh, kw) of a filter reads the padded plane at c*Hp*Wp + kh*d*Wp + kw*d.
  const std::size_t k = g.kernel, d = g.dilation, cg = c_in_ / g.groups;
  for (std::size_t c = 0; c < cg; ++c)
    for (std::size_t kh = 0; kh < k; ++kh)
      for (std::size_t kw = 0; kw < k; ++kw)
        col_offset_.push_back(static_cast<std::int32_t>(c * hp_ * wp_ + kh * d * wp_ + kw * d));
  for (std::size_t o = 0; o < c_out_; ++o)
    row_base_.push_back(static_cast<std::int32_t>(o / (c_out_ / g.groups) * cg * hp_ * wp_));
  if (g.padding) padded_.assign(c_in_ * hp_ * wp_, 0.0f);  // the border stays zero
  wide_.resize(c_out_ * oh_ * wp_);
  few_filters_ = c_out_ <= max_few_filters && g.groups == 1 && g.dilation == 1 &&
                 conv_few_filters_supports(k);
}

bool ConvOp::fuse_max_pool2x2() {
  if (pool_ || oh_ < 2 || ow_ < 2) return false;
  pool_ = true;
  out_shape = {c_out_, oh_ / 2, ow_ / 2};
  full_.resize(c_out_ * oh_ * ow_);
  return true;
}

std::string ConvOp::sparse_unsupported() const {
  if (g_.stride != 1) return "stride " + std::to_string(g_.stride);
  if (c_in_ / g_.groups * g_.kernel * g_.kernel > max_csr_cols) return "more than 65536 inputs";
  if (c_in_ * hp_ * wp_ > std::size_t(INT32_MAX)) return "input too large";
  return "";
}

std::string ConvOp::describe() const {
  return "Conv2d(" + std::to_string(c_in_) + " -> " + std::to_string(c_out_) + ", " +
         std::to_string(g_.kernel) + "x" + std::to_string(g_.kernel) + ", out " +
         std::to_string(oh_) + "x" + std::to_string(ow_) + ")" + (relu_ ? " + ReLU" : "") +
         (pool_ ? " + MaxPool2d(2)" : "");
}

std::size_t ConvOp::macs() const {
  return weight_.size() * oh_ * ow_;
}

void ConvOp::run(Workspace& ws, std::size_t batch) {
  const float* x = ws.slot(in);  // (B, C_in, H, W)
  float* y = ws.slot(out);       // (B, C_out, H_out, W_out)
  const std::size_t in_numel = c_in_ * h_ * w_, out_numel = numel(out_shape);
  const bool direct = dense_kernel_ == DenseKernel::direct && has_direct(batch);
  for (std::size_t b = 0; b < batch; ++b) {
    if (path_ == KernelPath::sparse)
      run_sparse(x + b * in_numel, y + b * out_numel);
    else if (direct)
      run_direct(x + b * in_numel, y + b * out_numel);
    else
      run_dense(x + b * in_numel, y + b * out_numel);
  }
}

namespace {

// cols (C*k*k, H_out*W_out) from x (C, H, W); taps outside the input read zero.
void im2col(const float* x, std::size_t c_in, std::size_t h, std::size_t w, const ConvGeometry& g,
            std::size_t oh, std::size_t ow, float* cols) {
  const std::size_t k = g.kernel;
  for (std::size_t c = 0; c < c_in; ++c)
    for (std::size_t kh = 0; kh < k; ++kh)
      for (std::size_t kw = 0; kw < k; ++kw) {
        float* row = cols + ((c * k + kh) * k + kw) * oh * ow;  // (H_out, W_out)
        for (std::size_t i = 0; i < oh; ++i) {
          const long ih = long(i * g.stride + kh * g.dilation) - long(g.padding);
          for (std::size_t j = 0; j < ow; ++j) {
            const long iw = long(j * g.stride + kw * g.dilation) - long(g.padding);
            const bool inside = ih >= 0 && ih < long(h) && iw >= 0 && iw < long(w);
            row[i * ow + j] = inside ? x[(c * h + std::size_t(ih)) * w + std::size_t(iw)] : 0.0f;
          }
        }
      }
}

}  // namespace

void ConvOp::run_dense(const float* x, float* y) {
  const std::size_t p = oh_ * ow_, k2 = g_.kernel * g_.kernel;
  const bool pointwise = g_.kernel == 1 && g_.stride == 1 && g_.padding == 0;
  const float* cols = x;  // a 1x1 convolution's patches are the input itself
  float* full = pool_ ? full_.data() : y;  // (C_out, P)
  if (!pointwise) {
    im2col(x, c_in_, h_, w_, g_, oh_, ow_, cols_.data());
    cols = cols_.data();
  }
  // Group g: y (C_out/G, P) = W_g (C_out/G, C_in/G * k*k) · cols_g (C_in/G * k*k, P)
  const std::size_t og = c_out_ / g_.groups, kg = c_in_ / g_.groups * k2;
  for (std::size_t grp = 0; grp < g_.groups; ++grp)
    gemm(false, false, og, p, kg, 1.0f, weight_.data() + grp * og * kg, cols + grp * kg * p, 0.0f,
         full + grp * og * p);
  add_bias(full, c_out_, p, bias_.data(), relu_);
  if (pool_) store(full, ow_, p, y);
}

const float* ConvOp::padded_plane(const float* x) {
  if (!g_.padding) return x;
  for (std::size_t c = 0; c < c_in_; ++c)
    for (std::size_t i = 0; i < h_; ++i)
      std::memcpy(&padded_[(c * hp_ + i + g_.padding) * wp_ + g_.padding], x + (c * h_ + i) * w_,
                  w_ * sizeof(float));
  return padded_.data();
}

void ConvOp::store(const float* src, std::size_t row_stride, std::size_t plane_stride,
                   float* y) const {
  const float floor = relu_ ? 0.0f : -std::numeric_limits<float>::infinity();
  if (pool_)
    return max_pool2x2(src, row_stride, plane_stride, c_out_, oh_ / 2, ow_ / 2, floor, y);
  for (std::size_t o = 0; o < c_out_; ++o)
    for (std::size_t i = 0; i < oh_; ++i) {
      const float* row = src + o * plane_stride + i * row_stride;  // (W_out)
      float* dst = y + (o * oh_ + i) * ow_;
      for (std::size_t j = 0; j < ow_; ++j) dst[j] = std::max(row[j], floor);
    }
}

void ConvOp::run_sparse(const float* x, float* y) {
  // wide (C_out, L): the positions up to the last output, L = (H_out - 1) * Wp + W_out
  const std::size_t L = (oh_ - 1) * wp_ + ow_, ldw = oh_ * wp_;
  sparse_rows_shifted(csr_, col_offset_.data(), row_base_.data(), bias_.data(), padded_plane(x),
                      L, wide_.data(), ldw);
  store(wide_.data(), wp_, ldw, y);
}

void ConvOp::run_direct(const float* x, float* y) {
  if (few_filters_) {
    conv_few_filters(weight_.data(), c_out_, c_in_, g_.kernel, bias_.data(), padded_plane(x),
                     oh_, ow_, wide_.data(), oh_ * wp_);
    return store(wide_.data(), wp_, oh_ * wp_, y);
  }
  const std::size_t L = (oh_ - 1) * wp_ + ow_, ldw = oh_ * wp_;
  dense_rows_shifted(weight_.data(), c_out_, col_offset_.size(), col_offset_.data(),
                     row_base_.data(), bias_.data(), padded_plane(x), L, wide_.data(), ldw);
  store(wide_.data(), wp_, ldw, y);
}

}  // namespace poda
