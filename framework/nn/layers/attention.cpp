#include "nn/layers/attention.h"

#include <cmath>
#include <string>

#include "core/ops_transformer.h"
#include "nn/layer_spec.h"

namespace poda {

MultiHeadSelfAttention::MultiHeadSelfAttention(std::size_t dim, std::size_t heads, bool bias,
                                               Init init, Rng& rng)
    : dim_(dim), heads_(heads) {
  if (dim_ == 0 || heads_ == 0 || dim_ % heads_ != 0)
    throw std::invalid_argument("attention: width " + std::to_string(dim_) +
                                " is not a positive multiple of " + std::to_string(heads_) +
                                " heads");
  q_ = register_module("q", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
  k_ = register_module("k", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
  v_ = register_module("v", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
  out_ = register_module("out", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
}

Variable MultiHeadSelfAttention::forward(const Variable& x) {
  if (x.data().dimension() != 3 || x.dim(2) != dim_)
    throw std::invalid_argument("attention: input " + shape_str(x.shape()) + " is not (B, T, " +
                                std::to_string(dim_) + ")");
  const std::size_t B = x.dim(0), T = x.dim(1);
  // Every token is one row of the projections (and of their activation statistics).
  const Variable rows = reshape(x, {B * T, dim_});
  const Shape tokens{B, T, dim_};
  const Variable q = reshape((*q_)(rows), tokens);
  const Variable k = reshape((*k_)(rows), tokens);
  const Variable v = reshape((*v_)(rows), tokens);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dim_ / heads_));
  const Variable mixed = attention_mix(softmax(attention_scores(q, k, heads_, scale)), v, heads_);
  return reshape((*out_)(reshape(mixed, {B * T, dim_})), tokens);
}

std::string MultiHeadSelfAttention::describe() const {
  return "MultiHeadSelfAttention(" + std::to_string(dim_) + ", " + std::to_string(heads_) +
         " heads)";
}

Shape MultiHeadSelfAttention::output_shape(const Shape& input) const {
  if (input.size() != 2 || input[1] != dim_)
    throw ShapeError("MultiHeadSelfAttention expects tokens (T, " + std::to_string(dim_) +
                     ") but gets " + shape_str(input));
  return input;
}

std::size_t MultiHeadSelfAttention::macs(const Shape& input) const {
  const std::size_t T = input.at(0);
  return 4 * T * dim_ * dim_ + 2 * T * T * dim_;
}

std::size_t MultiHeadSelfAttention::effective_macs(const Shape& input) const {
  const std::size_t T = input.at(0);
  const Shape token{dim_};
  return T * (q_->effective_macs(token) + k_->effective_macs(token) + v_->effective_macs(token) +
              out_->effective_macs(token)) +
         2 * T * T * dim_;
}

namespace {
Array folded_bias(Dense& d) {
  return d.bias() ? folded_value(*d.bias()) : Array();
}
}  // namespace

void MultiHeadSelfAttention::lower(Lowering& to) {
  AttentionWeights w;
  w.heads = heads_;
  w.q_weight = folded_value(q_->weight());
  w.q_bias = folded_bias(*q_);
  w.k_weight = folded_value(k_->weight());
  w.k_bias = folded_bias(*k_);
  w.v_weight = folded_value(v_->weight());
  w.v_bias = folded_bias(*v_);
  w.out_weight = folded_value(out_->weight());
  w.out_bias = folded_bias(*out_);
  to.attention(std::move(w));
}

namespace {
const LayerTypeRegistrar attention_type(
    "attention",
    {{{"heads", KeyKind::count}, {"bias", KeyKind::flag}, {"init", KeyKind::text}},
     [](const LayerSpec& spec, const Shape& input, BuildContext& ctx) -> ModulePtr {
       if (input.size() != 2)
         throw ShapeError("attention expects tokens (T, D) but gets " + shape_str(input));
       const Init init =
           spec.strings.count("init") ? parse_init(spec.strings.at("init")) : ctx.init;
       return std::make_shared<MultiHeadSelfAttention>(input[1], spec.count("heads"),
                                                       spec.flag_or("bias", true), init, ctx.rng);
     },
     "multi-head self-attention on tokens (T, D): heads, [bias: true], [init]; "
     "projections q, k, v, out are Dense"});
}  // namespace

}  // namespace poda
