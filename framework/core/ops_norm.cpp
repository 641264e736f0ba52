// Batch normalisation (Ioffe & Szegedy 2015) over (B, C) or (B, C, H, W), alone or fused with
// the ReLU that follows it; the kernels are in core/batch_norm.cpp.
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/batch_norm.h"
#include "core/ops.h"
#include "core/profile.h"

namespace poda {

namespace {

BnDims bn_dims(const char* op, const Variable& x, const Variable& gamma, const Variable& beta,
               const Array& running_mean, const Array& running_var, bool training) {
  const std::size_t rank = x.data().dimension();
  if ((rank != 2 && rank != 4) || gamma.size() != x.dim(1) || beta.size() != x.dim(1) ||
      running_mean.size() != x.dim(1) || running_var.size() != x.dim(1))
    throw std::invalid_argument(std::string(op) + ": input " + shape_str(x.shape()) +
                                " with gamma " + shape_str(gamma.shape()) +
                                " (expected (B, C) or (B, C, H, W))");
  const BnDims d{x.dim(0), x.dim(1), rank == 4 ? x.dim(2) * x.dim(3) : 1};
  if (training && d.n() < 2)
    throw std::invalid_argument(std::string(op) +
                                ": training needs more than one value per "
                                "channel, got input " +
                                shape_str(x.shape()));
  return d;
}

// mean and invstd (C each) the normalisation uses: the batch's in training (which also updates
// the running statistics, with the unbiased variance, as PyTorch), else the running ones.
void channel_stats(const float* x, const BnDims& d, Array& running_mean, Array& running_var,
                   bool training, float momentum, float eps, std::vector<float>& mean,
                   std::vector<float>& invstd) {
  float* rm = running_mean.data();
  float* rv = running_var.data();
  if (!training) {
    for (std::size_t c = 0; c < d.C; ++c) {
      mean[c] = rm[c];
      invstd[c] = 1.0f / std::sqrt(rv[c] + eps);
    }
    return;
  }
  std::vector<float> var(d.C);
  bn_batch_stats(x, d, mean.data(), var.data());
  const float unbias = static_cast<float>(d.n()) / static_cast<float>(d.n() - 1);
  for (std::size_t c = 0; c < d.C; ++c) {
    invstd[c] = 1.0f / std::sqrt(var[c] + eps);
    rm[c] = (1.0f - momentum) * rm[c] + momentum * mean[c];
    rv[c] = (1.0f - momentum) * rv[c] + momentum * var[c] * unbias;
  }
}

// Adds (or writes, when the buffer is fresh) a per-channel gradient.
void add_channel_grad(Variable& v, const std::vector<float>& g) {
  float beta;
  float* dst = v.grad_accumulator(beta);
  for (std::size_t c = 0; c < g.size(); ++c) dst[c] = beta == 0.0f ? g[c] : dst[c] + g[c];
}

Variable batch_norm_op(const char* op, const Variable& x, const Variable& gamma,
                       const Variable& beta, Array& running_mean, Array& running_var, bool training,
                       float momentum, float eps, bool relu) {
  const BnDims d = bn_dims(op, x, gamma, beta, running_mean, running_var, training);
  ProfileScope scope(ProfileOp::batch_norm);
  std::vector<float> mean(d.C), invstd(d.C), scale(d.C), shift(d.C);
  channel_stats(x.data().data(), d, running_mean, running_var, training, momentum, eps, mean,
                invstd);
  for (std::size_t c = 0; c < d.C; ++c) {  // y = x * scale + shift, normalisation and affine
    scale[c] = gamma.data().data()[c] * invstd[c];
    shift[c] = beta.data().data()[c] - mean[c] * scale[c];
  }
  Array y = empty_array(x.shape());
  bn_apply(y.data(), x.data().data(), d, scale.data(), shift.data(), relu);
  // Captures the per-channel statistics only (C floats each), never the output.
  return Variable::from_op(
      std::move(y), {x, gamma, beta},
      [d, training, relu, mean = std::move(mean), invstd = std::move(invstd)](
          std::vector<Variable>& in, const Array& dy) {
        ProfileScope scope(ProfileOp::batch_norm);
        const BnSaved s{mean.data(), invstd.data(), in[1].data().data(), in[2].data().data()};
        std::vector<float> dgamma(d.C), dbeta(d.C);
        const float* x = in[0].data().data();
        bn_param_grads(dgamma.data(), dbeta.data(), dy.data(), x, d, s, relu);
        if (in[1].requires_grad()) add_channel_grad(in[1], dgamma);
        if (in[2].requires_grad()) add_channel_grad(in[2], dbeta);
        if (!in[0].requires_grad()) return;
        float beta_x;
        float* dx = in[0].grad_accumulator(beta_x);  // (B, C, S)
        bn_input_grad(dx, beta_x, dy.data(), x, d, s, dgamma.data(), dbeta.data(), training, relu);
      });
}

}  // namespace

Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    Array& running_mean, Array& running_var, bool training, float momentum,
                    float eps) {
  return batch_norm_op("batch_norm", x, gamma, beta, running_mean, running_var, training, momentum,
                       eps, false);
}

Variable batch_norm_relu(const Variable& x, const Variable& gamma, const Variable& beta,
                         Array& running_mean, Array& running_var, bool training, float momentum,
                         float eps) {
  return batch_norm_op("batch_norm_relu", x, gamma, beta, running_mean, running_var, training,
                       momentum, eps, true);
}

}  // namespace poda
