// The sparse linear op (core/sparse_linear.h): the passes on raw buffers and the autograd
// op around them.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "core/sparse_linear.h"
#include "kernels/sparse_kernels.h"

namespace poda {

void sparse_linear_forward(SparsePattern& p, const float* x, const float* weight,
                           const float* bias, std::size_t B, SparseLinearWork& work, float* y) {
  const std::size_t in = p.w.cols, out = p.w.rows;
  gather_pattern_values(p, weight, false);
  work.xt.resize(in * B);
  work.yt.resize(out * B);
  transpose(x, B, in, work.xt.data());  // xt (in, B)
  // yt (out, B) = W (out, in) · xt (in, B) + bias, vectorised along the batch
  sparse_rows_strided(p.w, bias, work.xt.data(), B, B, work.yt.data(), B);
  transpose(work.yt.data(), out, B, y);  // y (B, out)
}

void sparse_linear_backward(SparsePattern& p, const float* dy, const float* weight,
                            std::size_t B, SparseLinearWork& work, float* dx) {
  const std::size_t in = p.w.cols, out = p.w.rows;
  work.yt.resize(out * B);
  transpose(dy, B, out, work.yt.data());  // dyt (out, B)
  if (dx) {
    // dxt (in, B) = W^T (in, out) · dyt (out, B): the transposed pattern's rows
    gather_pattern_values(p, weight, true);
    work.dxt.resize(in * B);
    sparse_rows_strided(p.wt, nullptr, work.yt.data(), B, B, work.dxt.data(), B);
    transpose(work.dxt.data(), in, B, dx);  // dx (B, in)
  }
  // dW[r, c] = dyt[r, :] · xt[c, :] at the pattern's entries only
  work.dvals.resize(p.nnz());
  sampled_dots(p.w, work.yt.data(), work.xt.data(), B, work.dvals.data());
}

namespace {

void check_shapes(const Variable& x, const Variable& weight, const SparsePattern& p,
                  const Variable& bias) {
  if (x.data().dimension() != 2 || weight.data().dimension() != 2 || x.dim(1) != weight.dim(1))
    throw std::invalid_argument("sparse_linear: input " + shape_str(x.shape()) +
                                " does not fit weight " + shape_str(weight.shape()) + " (out, in)");
  if (p.w.rows != weight.dim(0) || p.w.cols != weight.dim(1))
    throw std::invalid_argument("sparse_linear: pattern (" + std::to_string(p.w.rows) + ", " +
                                std::to_string(p.w.cols) + ") for weight " +
                                shape_str(weight.shape()));
  if (bias.defined() && bias.size() != weight.dim(0))
    throw std::invalid_argument("sparse_linear: bias " + shape_str(bias.shape()) + " for " +
                                std::to_string(weight.dim(0)) + " outputs");
}

// grad (out, in) (+)= the weight gradient at the pattern's entries, zero elsewhere.
void scatter_weight_grad(const SparsePattern& p, const std::vector<float>& dvals, float beta,
                         float* grad) {
  if (beta == 0.0f) std::fill(grad, grad + p.w.rows * p.w.cols, 0.0f);
  for (std::size_t j = 0; j < p.nnz(); ++j) grad[p.flat[j]] += dvals[j];
}

// (B, n) -> column sums, accumulated into db (n).
void add_column_sums(const float* dy, std::size_t B, std::size_t n, float beta, float* db) {
  if (beta == 0.0f) std::fill(db, db + n, 0.0f);
  for (std::size_t r = 0; r < B; ++r)
    for (std::size_t c = 0; c < n; ++c) db[c] += dy[r * n + c];
}

}  // namespace

Variable sparse_linear(const Variable& x, const Variable& weight,
                       std::shared_ptr<SparsePattern> pattern, const Variable& bias) {
  check_shapes(x, weight, *pattern, bias);
  const std::size_t B = x.dim(0), in = x.dim(1), out = weight.dim(0);
  auto work = std::make_shared<SparseLinearWork>();
  Array y = empty_array({B, out});
  sparse_linear_forward(*pattern, x.data().data(), weight.data().data(),
                        bias.defined() ? bias.data().data() : nullptr, B, *work, y.data());
  std::vector<Variable> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  // The grad function holds the pattern and the feature-major input, never the output.
  return Variable::from_op(
      std::move(y), std::move(inputs),
      [B, in, out, pattern, work](std::vector<Variable>& inp, const Array& dy) {
        float beta;
        const bool want_dx = inp[0].requires_grad();
        Array dx = want_dx ? empty_array({B, in}) : Array();
        sparse_linear_backward(*pattern, dy.data(), inp[1].data().data(), B, *work,
                               want_dx ? dx.data() : nullptr);
        if (want_dx) inp[0].add_grad(std::move(dx));
        if (inp[1].requires_grad()) {
          float* dw = inp[1].grad_accumulator(beta);
          scatter_weight_grad(*pattern, work->dvals, beta, dw);
        }
        if (inp.size() > 2 && inp[2].requires_grad()) {
          float* db = inp[2].grad_accumulator(beta);
          add_column_sums(dy.data(), B, out, beta, db);
        }
      });
}

}  // namespace poda
