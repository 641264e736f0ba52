// The batched matmuls of multi-head attention. Heads stay where the projections wrote them,
// in (B, T, D) with head h in features [h * d_head, (h + 1) * d_head): each (sample, head)
// pair is one GEMM on a strided block (leading dimension D), so no transposed copy of q, k, v
// or the output is ever made.
#include <stdexcept>
#include <string>

#include "core/gemm.h"
#include "core/ops_transformer.h"

namespace poda {

namespace {

struct HeadDims {
  std::size_t B, T, D, heads, dh;
  std::size_t token_offset(std::size_t b, std::size_t h) const { return b * T * D + h * dh; }
  std::size_t score_offset(std::size_t b, std::size_t h) const { return (b * heads + h) * T * T; }
};

HeadDims head_dims(const char* op, const Variable& x, std::size_t heads) {
  if (x.data().dimension() != 3 || x.size() == 0 || heads == 0 || x.dim(2) % heads != 0)
    throw std::invalid_argument(std::string(op) + ": input " + shape_str(x.shape()) +
                                " is not a non-empty (B, T, D) with D a multiple of " +
                                std::to_string(heads) + " heads");
  return {x.dim(0), x.dim(1), x.dim(2), heads, x.dim(2) / heads};
}

void require_same(const char* op, const Variable& a, const Variable& b) {
  if (a.shape() != b.shape())
    throw std::invalid_argument(std::string(op) + ": shapes " + shape_str(a.shape()) + " and " +
                                shape_str(b.shape()) + " differ");
}

}  // namespace

Variable attention_scores(const Variable& q, const Variable& k, std::size_t heads, float scale) {
  const HeadDims d = head_dims("attention_scores", q, heads);
  require_same("attention_scores", q, k);
  Array s = empty_array({d.B, heads, d.T, d.T});
  const float* pq = q.data().data();
  const float* pk = k.data().data();
  for (std::size_t b = 0; b < d.B; ++b)
    for (std::size_t h = 0; h < heads; ++h)  // s_bh (T, T) = scale * q_bh (T, dh) k_bh^T
      gemm(false, true, d.T, d.T, d.dh, scale, pq + d.token_offset(b, h), d.D,
           pk + d.token_offset(b, h), d.D, 0.0f, s.data() + d.score_offset(b, h), d.T);
  return Variable::from_op(
      std::move(s), {q, k}, [d, scale](std::vector<Variable>& in, const Array& ds) {
        // Every (b, h) block writes its own columns, so together they cover the whole
        // gradient: beta 0 on a fresh buffer is a plain write.
        float beta;
        if (in[0].requires_grad()) {  // dq_bh (T, dh) = scale * ds_bh (T, T) k_bh
          float* dq = in[0].grad_accumulator(beta);
          const float* pk = in[1].data().data();
          for (std::size_t b = 0; b < d.B; ++b)
            for (std::size_t h = 0; h < d.heads; ++h)
              gemm(false, false, d.T, d.dh, d.T, scale, ds.data() + d.score_offset(b, h), d.T,
                   pk + d.token_offset(b, h), d.D, beta, dq + d.token_offset(b, h), d.D);
        }
        if (in[1].requires_grad()) {  // dk_bh (T, dh) = scale * ds_bh^T q_bh
          float* dk = in[1].grad_accumulator(beta);
          const float* pq = in[0].data().data();
          for (std::size_t b = 0; b < d.B; ++b)
            for (std::size_t h = 0; h < d.heads; ++h)
              gemm(true, false, d.T, d.dh, d.T, scale, ds.data() + d.score_offset(b, h), d.T,
                   pq + d.token_offset(b, h), d.D, beta, dk + d.token_offset(b, h), d.D);
        }
      });
}

Variable attention_mix(const Variable& p, const Variable& v, std::size_t heads) {
  const HeadDims d = head_dims("attention_mix", v, heads);
  if (p.shape() != Shape{d.B, heads, d.T, d.T})
    throw std::invalid_argument("attention_mix: weights " + shape_str(p.shape()) +
                                " do not fit values " + shape_str(v.shape()) + " with " +
                                std::to_string(heads) + " heads (expected " +
                                shape_str({d.B, heads, d.T, d.T}) + ")");
  Array o = empty_array({d.B, d.T, d.D});
  const float* pp = p.data().data();
  const float* pv = v.data().data();
  for (std::size_t b = 0; b < d.B; ++b)
    for (std::size_t h = 0; h < heads; ++h)  // o_bh (T, dh) = p_bh (T, T) v_bh (T, dh)
      gemm(false, false, d.T, d.dh, d.T, 1.0f, pp + d.score_offset(b, h), d.T,
           pv + d.token_offset(b, h), d.D, 0.0f, o.data() + d.token_offset(b, h), d.D);
  return Variable::from_op(std::move(o), {p, v}, [d](std::vector<Variable>& in, const Array& dout) {
    float beta;
    if (in[0].requires_grad()) {  // dp_bh (T, T) = do_bh (T, dh) v_bh^T
      float* dp = in[0].grad_accumulator(beta);
      const float* pv = in[1].data().data();
      for (std::size_t b = 0; b < d.B; ++b)
        for (std::size_t h = 0; h < d.heads; ++h)
          gemm(false, true, d.T, d.T, d.dh, 1.0f, dout.data() + d.token_offset(b, h), d.D,
               pv + d.token_offset(b, h), d.D, beta, dp + d.score_offset(b, h), d.T);
    }
    if (in[1].requires_grad()) {  // dv_bh (T, dh) = p_bh^T do_bh
      float* dv = in[1].grad_accumulator(beta);
      const float* pp = in[0].data().data();
      for (std::size_t b = 0; b < d.B; ++b)
        for (std::size_t h = 0; h < d.heads; ++h)
          gemm(true, false, d.T, d.dh, d.T, 1.0f, pp + d.score_offset(b, h), d.T,
               dout.data() + d.token_offset(b, h), d.D, beta, dv + d.token_offset(b, h), d.D);
    }
  });
}

}  // namespace poda
