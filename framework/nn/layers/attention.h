#pragma once
#include <memory>

#include "core/random.h"
#include "nn/init.h"
#include "nn/layers/dense.h"
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// Multi-head self-attention (Vaswani et al. 2017) on one sample's tokens (T, D):
// softmax(q_h k_h^T / sqrt(d_head)) v_h per head h, heads concatenated, then projected.
// The four projections are Dense children "q", "k", "v", "out" (D -> D, each seeing every
// token as a row), so every criterion, granularity and mask applies to them unchanged; head h
// is rows [h * d_head, (h + 1) * d_head) of q, k and v and the same columns of out.
class MultiHeadSelfAttention : public Module {
 public:
  MultiHeadSelfAttention(std::size_t dim, std::size_t heads, bool bias, Init init, Rng& rng);
  // From its projections: q, k, v (dim -> heads * head width) and out (back to dim); a
  // compacted layer keeps fewer heads of the same width (and the same 1/sqrt(width) scale).
  MultiHeadSelfAttention(std::size_t heads, std::shared_ptr<Dense> q, std::shared_ptr<Dense> k,
                         std::shared_ptr<Dense> v, std::shared_ptr<Dense> out);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "MultiHeadSelfAttention"; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  // Projections 4 T D E and the two attention matmuls 2 T^2 E (E = heads * head width = D
  // unless heads were removed).
  std::size_t macs(const Shape& input) const override;
  std::size_t effective_macs(const Shape& input) const override;
  // A head (rows of q, k, v and columns of out) is a unit of structured pruning.
  ChannelFlow channel_flow() const override { return ChannelFlow::attends; }
  std::size_t head_width() const override { return inner_ / heads_; }
  ModulePtr compacted_heads(const std::vector<std::size_t>& in,
                            const std::vector<std::size_t>& heads,
                            const std::vector<std::size_t>& out) const override;

  std::size_t dim() const { return dim_; }
  std::size_t heads() const { return heads_; }
  std::size_t inner() const { return inner_; }
  Dense& q() { return *q_; }
  Dense& k() { return *k_; }
  Dense& v() { return *v_; }
  Dense& out() { return *out_; }
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)

 private:
  void check_shapes() const;
  std::size_t dim_, heads_, inner_;
  std::shared_ptr<Dense> q_, k_, v_, out_;
};

}  // namespace poda
