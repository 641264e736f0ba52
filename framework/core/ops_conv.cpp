// The conv2d op: shape checks, the graph node, and the GEMMs it stands for. The kernels, forward
// and backward side by side, are in conv_forward.cpp and conv_backward.cpp.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/conv_kernels.h"
#include "core/ops.h"
#include "core/profile.h"
#include "kernels/clones.h"

namespace poda {

namespace {

ConvDims conv_dims(const Variable& x, const Variable& weight, const Variable& bias,
                   const Conv2dOptions& opt) {
  const auto fail = [&](const std::string& why) {
    throw std::invalid_argument("conv2d: input " + shape_str(x.shape()) + ", weight " +
                                shape_str(weight.shape()) + ": " + why);
  };
  if (x.data().dimension() != 4 || weight.data().dimension() != 4)
    fail("expected x (B, C_in, H, W) and weight (C_out, C_in/groups, kH, kW)");
  const std::size_t groups = opt.groups;
  if (groups == 0 || x.dim(1) % groups || weight.dim(0) % groups)
    fail("groups " + std::to_string(groups) + " must divide C_in and C_out");
  if (weight.dim(1) * groups != x.dim(1)) fail("C_in/groups does not match");
  ConvDims d{x.dim(0),      x.dim(1),      x.dim(2), x.dim(3), weight.dim(0),
             weight.dim(2), weight.dim(3), 0,        0,        opt.stride,
             opt.padding,   opt.dilation,  groups};
  d.OH = conv_out_size(d.H, d.kH, d.stride, d.pad, d.dil);
  d.OW = conv_out_size(d.W, d.kW, d.stride, d.pad, d.dil);
  if (d.OH == 0 || d.OW == 0) fail("kernel does not fit the padded input");
  if (bias.defined() && bias.size() != d.C_out) fail("bias " + shape_str(bias.shape()));
  return d;
}

// For GEMM-bound estimates (profile.h): im2col's three products per sample and group.
void note_conv_gemms(const ConvDims& d, bool dx) {
  if (!profiling_here() || !grad_enabled()) return;
  const std::size_t n = d.B * d.groups, M = d.cout_g(), N = d.OHW(), K = d.K();
  profile_note_gemm({false, false, M, N, K, n, false});         // y = w @ cols
  profile_note_gemm({false, true, M, K, N, n, true});           // dw += dy @ cols^T
  if (dx) profile_note_gemm({true, false, K, N, M, n, false});  // dcols = w^T @ dy
}

PODA_CLONES void mask_loop(const float* __restrict src, const std::uint8_t* __restrict mask,
                           float* __restrict dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = mask[i] ? src[i] : 0.0f;
}

// dy (B, C_out, OH, OW) where the ReLU let its input through, else 0.
Array masked_grad(const Array& dy, const std::uint8_t* mask) {
  ProfileScope scope(ProfileOp::activation);
  Array g = empty_array(to_shape(dy.shape()));
  mask_loop(dy.data(), mask, g.data(), g.size());
  return g;
}

// conv2d, and with relu the ReLU after it in the same output pass. The backward needs the
// ReLU's mask, not its output: it keeps one byte per output instead of a second tensor.
Variable conv2d_op(const Variable& x, const Variable& weight, const Variable& bias,
                   const Conv2dOptions& opt, bool relu) {
  const ConvDims d = conv_dims(x, weight, bias, opt);
  const bool has_bias = bias.defined();
  note_conv_gemms(d, x.requires_grad());
  Array y = empty_array({d.B, d.C_out, d.OH, d.OW});
  // Left uninitialised: conv_forward writes every byte. Shared, so the grad fn stays copyable.
  const std::shared_ptr<std::uint8_t[]> mask(relu ? new std::uint8_t[y.size()] : nullptr);
  conv_forward(y.data(), false, x.data().data(), weight.data().data(),
               has_bias ? bias.data().data() : nullptr, d, mask.get());
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  return Variable::from_op(
      std::move(y), std::move(inputs), [d, mask](std::vector<Variable>& in, const Array& dy_out) {
        const Array masked = mask ? masked_grad(dy_out, mask.get()) : Array();
        const Array& dy = mask ? masked : dy_out;
        // Each buffer and its beta come first: grad_accumulator sets beta, and a call's
        // arguments are evaluated in no fixed order. The first layer's input needs no gradient:
        // its data-gradient work is skipped.
        float beta_b = 0.0f, beta_w = 0.0f, beta_x = 0.0f;
        float* db =
            in.size() > 2 && in[2].requires_grad() ? in[2].grad_accumulator(beta_b) : nullptr;
        float* dw = in[1].requires_grad() ? in[1].grad_accumulator(beta_w) : nullptr;
        float* dx = in[0].requires_grad() ? in[0].grad_accumulator(beta_x) : nullptr;
        if (db) conv_backward_bias(db, beta_b, dy.data(), d);
        if (dw) conv_backward_weight(dw, beta_w, dy.data(), in[0].data().data(), d);
        if (dx) conv_backward_data(dx, beta_x, dy.data(), in[1].data().data(), d);
      });
}

}  // namespace

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const Conv2dOptions& opt) {
  return conv2d_op(x, weight, bias, opt, false);
}

Variable conv2d_relu(const Variable& x, const Variable& weight, const Variable& bias,
                     const Conv2dOptions& opt) {
  return conv2d_op(x, weight, bias, opt, true);
}

}  // namespace poda
