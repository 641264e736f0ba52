#include <stdexcept>

#include "core/gemm.h"
#include "core/ops.h"
#include "core/profile.h"

namespace poda {

namespace {
// For GEMM-bound estimates (profile.h): forward, dweight and, when wanted, dx.
void note_linear_gemms(std::size_t B, std::size_t in, std::size_t out, bool dx) {
  if (!profiling_here() || !grad_enabled()) return;
  profile_note_gemm({false, true, B, out, in, 1, false});
  profile_note_gemm({true, false, out, in, B, 1, false});
  if (dx) profile_note_gemm({false, false, B, in, out, 1, false});
}
}  // namespace

Variable matmul(const Variable& a, const Variable& b) {
  if (a.data().dimension() != 2 || b.data().dimension() != 2 || a.dim(1) != b.dim(0))
    throw std::invalid_argument("matmul: shapes " + shape_str(a.shape()) + " and " +
                                shape_str(b.shape()) + " do not multiply");
  const std::size_t M = a.dim(0), K = a.dim(1), N = b.dim(1);
  Array out = empty_array({M, N});
  gemm(false, false, M, N, K, 1.0f, a.data().data(), b.data().data(), 0.0f, out.data());
  return Variable::from_op(
      std::move(out), {a, b}, [M, N, K](std::vector<Variable>& in, const Array& dout) {
        float beta;
        if (in[0].requires_grad()) {  // da (M, K) = dout (M, N) @ b^T
          float* da = in[0].grad_accumulator(beta);
          gemm(false, true, M, K, N, 1.0f, dout.data(), in[1].data().data(), beta, da);
        }
        if (in[1].requires_grad()) {  // db (K, N) = a^T @ dout (M, N)
          float* db = in[1].grad_accumulator(beta);
          gemm(true, false, K, N, M, 1.0f, in[0].data().data(), dout.data(), beta, db);
        }
      });
}

Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  if (x.data().dimension() != 2 || weight.data().dimension() != 2 || x.dim(1) != weight.dim(1))
    throw std::invalid_argument("linear: input " + shape_str(x.shape()) + " does not fit weight " +
                                shape_str(weight.shape()) + " (out, in)");
  const std::size_t B = x.dim(0), in_features = x.dim(1), out_features = weight.dim(0);
  const bool has_bias = bias.defined();
  if (has_bias && bias.size() != out_features)
    throw std::invalid_argument("linear: bias " + shape_str(bias.shape()) + " for " +
                                std::to_string(out_features) + " outputs");
  // y (B, out) = x (B, in) @ weight^T (in, out) + bias
  Array y = empty_array({B, out_features});
  float* py = y.data();
  if (has_bias) {
    const float* pb = bias.data().data();
    for (std::size_t r = 0; r < B; ++r) std::copy(pb, pb + out_features, py + r * out_features);
  }
  gemm(false, true, B, out_features, in_features, 1.0f, x.data().data(), weight.data().data(),
       has_bias ? 1.0f : 0.0f, py);
  note_linear_gemms(B, in_features, out_features, x.requires_grad());
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  return Variable::from_op(
      std::move(y), std::move(inputs),
      [B, in_features, out_features](std::vector<Variable>& in, const Array& dy) {
        float beta;
        if (in[0].requires_grad()) {  // dx (B, in) = dy (B, out) @ weight (out, in)
          float* dx = in[0].grad_accumulator(beta);
          gemm(false, false, B, in_features, out_features, 1.0f, dy.data(), in[1].data().data(),
               beta, dx);
        }
        if (in[1].requires_grad()) {  // dweight (out, in) = dy^T (out, B) @ x (B, in)
          float* dw = in[1].grad_accumulator(beta);
          gemm(true, false, out_features, in_features, B, 1.0f, dy.data(), in[0].data().data(),
               beta, dw);
        }
        if (in.size() > 2 && in[2].requires_grad()) {  // dbias (out) = column sums of dy
          float* db = in[2].grad_accumulator(beta);
          if (beta == 0.0f) std::fill(db, db + out_features, 0.0f);
          const float* pdy = dy.data();
          for (std::size_t r = 0; r < B; ++r)
            for (std::size_t c = 0; c < out_features; ++c) db[c] += pdy[r * out_features + c];
        }
      });
}

}  // namespace poda
