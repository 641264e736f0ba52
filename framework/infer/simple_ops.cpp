#include "infer/simple_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/ops.h"
#include "kernels/sparse_kernels.h"

namespace poda {

void ActivationOp::relu(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
void ActivationOp::tanh(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}
void ActivationOp::sigmoid(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}

void ActivationOp::run(Workspace& ws, std::size_t batch) {
  fn_(ws.slot(in), ws.slot(out), numel(in_shape) * batch);
}

void ChannelAffineOp::run(Workspace& ws, std::size_t batch) {
  const float* x = ws.slot(in);
  float* y = ws.slot(out);
  const std::size_t features = numel(in_shape), per_channel = features / scale_.size();
  // batch-major: x (B, features); feature-major: x (features, B). Feature f is in channel
  // f / per_channel either way.
  const bool fm = layout == Layout::feature_major;
  const std::size_t run_length = fm ? per_channel * batch : per_channel;
  const std::size_t repeats = fm ? 1 : batch;
  for (std::size_t b = 0; b < repeats; ++b)
    for (std::size_t c = 0; c < scale_.size(); ++c) {
      const std::size_t base = b * features * (fm ? 0 : 1) + c * run_length;
      for (std::size_t i = 0; i < run_length; ++i)
        y[base + i] = x[base + i] * scale_[c] + shift_[c];
    }
}

std::string Pool2dOp::describe() const {
  return std::string(max_ ? "MaxPool2d" : "AvgPool2d") + "(" + std::to_string(kernel_) + ")";
}

namespace {

// The common case, 2x2 windows at stride 2 without padding: y (H_out, W_out) from x (H, W).
void pool2x2(bool max, const float* x, std::size_t w, float* y, std::size_t oh, std::size_t ow) {
  for (std::size_t i = 0; i < oh; ++i) {
    const float* r0 = x + 2 * i * w;
    const float* r1 = r0 + w;
    float* yr = y + i * ow;
    if (max)
      for (std::size_t j = 0; j < ow; ++j)
        yr[j] = std::max(std::max(r0[2 * j], r0[2 * j + 1]), std::max(r1[2 * j], r1[2 * j + 1]));
    else
      for (std::size_t j = 0; j < ow; ++j)
        yr[j] = 0.25f * ((r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1]));
  }
}

}  // namespace

void Pool2dOp::plane(const float* x, float* y) const {
  const std::size_t h = in_shape[1], w = in_shape[2], oh = out_shape[1], ow = out_shape[2];
  if (kernel_ == 2 && stride_ == 2 && padding_ == 0) return pool2x2(max_, x, w, y, oh, ow);
  const float lowest = -std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < oh; ++i)
    for (std::size_t j = 0; j < ow; ++j) {
      float acc = max_ ? lowest : 0.0f;
      for (std::size_t kh = 0; kh < kernel_; ++kh) {
        const long ih = long(i * stride_ + kh) - long(padding_);
        if (ih < 0 || ih >= long(h)) continue;
        for (std::size_t kw = 0; kw < kernel_; ++kw) {
          const long iw = long(j * stride_ + kw) - long(padding_);
          if (iw < 0 || iw >= long(w)) continue;
          const float v = x[std::size_t(ih) * w + std::size_t(iw)];
          acc = max_ ? std::max(acc, v) : acc + v;
        }
      }
      y[i * ow + j] = max_ ? acc : acc / float(kernel_ * kernel_);
    }
}

void Pool2dOp::run(Workspace& ws, std::size_t batch) {
  const float* x = ws.slot(in);  // (B, C, H, W)
  float* y = ws.slot(out);       // (B, C, H_out, W_out)
  const std::size_t planes = batch * in_shape[0];
  const std::size_t in_plane = in_shape[1] * in_shape[2], out_plane = out_shape[1] * out_shape[2];
  for (std::size_t p = 0; p < planes; ++p) plane(x + p * in_plane, y + p * out_plane);
}

void GlobalAvgPoolOp::run(Workspace& ws, std::size_t batch) {
  const float* x = ws.slot(in);  // (B, C, H*W)
  float* y = ws.slot(out);       // (B, C)
  const std::size_t planes = batch * in_shape[0], hw = in_shape[1] * in_shape[2];
  for (std::size_t p = 0; p < planes; ++p) {
    float acc = 0.0f;
    for (std::size_t i = 0; i < hw; ++i) acc += x[p * hw + i];
    y[p] = acc / float(hw);
  }
}

std::string TransposeOp::describe() const {
  return layout == Layout::feature_major ? "to feature-major" : "to batch-major";
}

void TransposeOp::run(Workspace& ws, std::size_t batch) {
  const std::size_t n = numel(in_shape);
  if (batch == 1) {  // (1, n) and (n, 1) are the same memory
    std::memcpy(ws.slot(out), ws.slot(in), n * sizeof(float));
    return;
  }
  if (layout == Layout::feature_major)
    transpose(ws.slot(in), batch, n, ws.slot(out));  // (B, n) -> (n, B)
  else
    transpose(ws.slot(in), n, batch, ws.slot(out));  // (n, B) -> (B, n)
}

void AddOp::run(Workspace& ws, std::size_t batch) {
  const float* a = ws.slot(in);
  const float* b = ws.slot(other);
  float* y = ws.slot(out);
  const std::size_t n = numel(in_shape) * batch;
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}

}  // namespace poda
