// The sparse conv2d op (core/sparse_conv2d.h).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/im2col.h"
#include "core/sparse_conv2d.h"
#include "kernels/conv_geometry.h"
#include "kernels/sparse_kernels.h"

namespace poda {

namespace {

ConvDims sparse_conv_dims(const Variable& x, const Variable& w, const SparsePattern& p,
                          const Conv2dOptions& o) {
  if (x.data().dimension() != 4 || w.data().dimension() != 4 || x.dim(1) != w.dim(1) ||
      o.groups != 1)
    throw std::invalid_argument("sparse_conv2d: input " + shape_str(x.shape()) +
                                " does not fit weight " + shape_str(w.shape()) +
                                " (C_out, C_in, kH, kW) with groups 1");
  ConvDims d{};
  d.B = x.dim(0), d.C_in = x.dim(1), d.H = x.dim(2), d.W = x.dim(3);
  d.C_out = w.dim(0), d.kH = w.dim(2), d.kW = w.dim(3);
  d.stride = o.stride, d.pad = o.padding, d.dil = o.dilation, d.groups = 1;
  d.OH = conv_out_size(d.H, d.kH, d.stride, d.pad, d.dil);
  d.OW = conv_out_size(d.W, d.kW, d.stride, d.pad, d.dil);
  if (d.OH == 0 || d.OW == 0 || p.w.rows != d.C_out || p.w.cols != d.K())
    throw std::invalid_argument("sparse_conv2d: pattern (" + std::to_string(p.w.rows) + ", " +
                                std::to_string(p.w.cols) + ") or kernel does not fit input " +
                                shape_str(x.shape()) + " and weight " + shape_str(w.shape()));
  return d;
}

// dx (B, C_in, H, W) = the adjoint of the forward for dy (B, C_out, OH, OW).
Array data_gradient(SparsePattern& p, const float* w, const float* dy, const ConvDims& d) {
  gather_pattern_values(p, w, true);
  Array dx = zeros_array({d.B, d.C_in, d.H, d.W});
  const std::size_t P = d.OHW();
  std::vector<float> dcols(d.K() * P);
  for (std::size_t b = 0; b < d.B; ++b) {
    // dcols (K, P) = W^T (K, C_out) · dy_b (C_out, P)
    sparse_rows_strided(p.wt, nullptr, dy + b * d.C_out * P, P, P, dcols.data(), P);
    col2im(dcols.data(), d, b, 1, 0, dx.data());
  }
  return dx;
}

// The weight gradient at the pattern's entries, summed over the images.
std::vector<float> weight_gradient(const SparsePattern& p, const float* dy,
                                   const std::vector<float>& cols, const ConvDims& d) {
  const std::size_t P = d.OHW();
  std::vector<float> dvals(p.nnz(), 0.0f), image(p.nnz());
  for (std::size_t b = 0; b < d.B; ++b) {
    sampled_dots(p.w, dy + b * d.C_out * P, cols.data() + b * d.K() * P, P, image.data());
    for (std::size_t j = 0; j < image.size(); ++j) dvals[j] += image[j];
  }
  return dvals;
}

}  // namespace

Variable sparse_conv2d(const Variable& x, const Variable& weight,
                       std::shared_ptr<SparsePattern> pattern, const Variable& bias,
                       const Conv2dOptions& options) {
  const ConvDims d = sparse_conv_dims(x, weight, *pattern, options);
  if (bias.defined() && bias.size() != d.C_out)
    throw std::invalid_argument("sparse_conv2d: bias " + shape_str(bias.shape()) + " for " +
                                std::to_string(d.C_out) + " output channels");
  const std::size_t P = d.OHW(), K = d.K();
  auto cols = std::make_shared<std::vector<float>>(d.B * K * P);  // (B, K, P)
  gather_pattern_values(*pattern, weight.data().data(), false);
  Array y = empty_array({d.B, d.C_out, d.OH, d.OW});
  const float* pb = bias.defined() ? bias.data().data() : nullptr;
  for (std::size_t b = 0; b < d.B; ++b) {
    float* cb = cols->data() + b * K * P;
    im2col(x.data().data(), d, b, 1, 0, cb);
    // y_b (C_out, P) = W (C_out, K) · cols_b (K, P) + bias
    sparse_rows_strided(pattern->w, pb, cb, P, P, y.data() + b * d.C_out * P, P);
  }
  std::vector<Variable> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  // The grad function holds the pattern and the unrolled input, never the output.
  return Variable::from_op(
      std::move(y), std::move(inputs),
      [d, pattern, cols](std::vector<Variable>& inp, const Array& dy) {
        float beta;
        if (inp[0].requires_grad())
          inp[0].add_grad(data_gradient(*pattern, inp[1].data().data(), dy.data(), d));
        if (inp[1].requires_grad()) {
          const std::vector<float> dvals = weight_gradient(*pattern, dy.data(), *cols, d);
          float* dw = inp[1].grad_accumulator(beta);
          if (beta == 0.0f) std::fill(dw, dw + inp[1].size(), 0.0f);
          for (std::size_t j = 0; j < dvals.size(); ++j) dw[pattern->flat[j]] += dvals[j];
        }
        if (inp.size() > 2 && inp[2].requires_grad()) {
          float* db = inp[2].grad_accumulator(beta);
          if (beta == 0.0f) std::fill(db, db + d.C_out, 0.0f);
          const std::size_t P = d.OHW();
          for (std::size_t b = 0; b < d.B; ++b)
            for (std::size_t o = 0; o < d.C_out; ++o) {
              const float* row = dy.data() + (b * d.C_out + o) * P;
              float s = 0.0f;
              for (std::size_t q = 0; q < P; ++q) s += row[q];
              db[o] += s;
            }
        }
      });
}

}  // namespace poda
