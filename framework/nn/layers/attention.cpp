#include "nn/layers/attention.h"

#include <cmath>
#include <string>

#include "core/ops_transformer.h"
#include "nn/layer_spec.h"

namespace poda {

MultiHeadSelfAttention::MultiHeadSelfAttention(std::size_t dim, std::size_t heads, bool bias,
                                               Init init, Rng& rng)
    : dim_(dim), heads_(heads), inner_(dim) {
  if (dim_ == 0 || heads_ == 0 || dim_ % heads_ != 0)
    throw std::invalid_argument("attention: width " + std::to_string(dim_) +
                                " is not a positive multiple of " + std::to_string(heads_) +
                                " heads");
  q_ = register_module("q", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
  k_ = register_module("k", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
  v_ = register_module("v", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
  out_ = register_module("out", std::make_shared<Dense>(dim_, dim_, bias, init, rng));
}

MultiHeadSelfAttention::MultiHeadSelfAttention(std::size_t heads, std::shared_ptr<Dense> q,
                                               std::shared_ptr<Dense> k, std::shared_ptr<Dense> v,
                                               std::shared_ptr<Dense> out)
    : dim_(q->in_features()), heads_(heads), inner_(q->out_features()) {
  q_ = register_module("q", std::move(q));
  k_ = register_module("k", std::move(k));
  v_ = register_module("v", std::move(v));
  out_ = register_module("out", std::move(out));
  check_shapes();
}

void MultiHeadSelfAttention::check_shapes() const {
  auto is = [](const Dense& d, std::size_t in, std::size_t out) {
    return d.in_features() == in && d.out_features() == out;
  };
  if (heads_ == 0 || inner_ % heads_ != 0 || !is(*k_, dim_, inner_) || !is(*v_, dim_, inner_) ||
      !is(*out_, inner_, dim_))
    throw std::invalid_argument("attention: projections q " + std::to_string(dim_) + " -> " +
                                std::to_string(inner_) + " do not fit k, v, out and " +
                                std::to_string(heads_) + " heads");
}

ModulePtr MultiHeadSelfAttention::compacted_heads(const std::vector<std::size_t>& in,
                                                  const std::vector<std::size_t>& heads,
                                                  const std::vector<std::size_t>& out) const {
  const std::size_t width = head_width();
  std::vector<std::size_t> rows;
  for (std::size_t h : heads)
    for (std::size_t r = h * width; r < (h + 1) * width; ++r) rows.push_back(r);
  auto dense = [](const Dense& d, const std::vector<std::size_t>& i,
                  const std::vector<std::size_t>& o) {
    return std::dynamic_pointer_cast<Dense>(d.compacted(i, o));
  };
  auto a = std::make_shared<MultiHeadSelfAttention>(heads.size(), dense(*q_, in, rows),
                                                    dense(*k_, in, rows), dense(*v_, in, rows),
                                                    dense(*out_, rows, out));
  a->train(is_training());
  return a;
}

Variable MultiHeadSelfAttention::forward(const Variable& x) {
  if (x.data().dimension() != 3 || x.dim(2) != dim_)
    throw std::invalid_argument("attention: input " + shape_str(x.shape()) + " is not (B, T, " +
                                std::to_string(dim_) + ")");
  const std::size_t B = x.dim(0), T = x.dim(1);
  // Every token is one row of the projections (and of their activation statistics).
  const Variable rows = reshape(x, {B * T, dim_});
  const Shape heads{B, T, inner_};
  const Variable q = reshape((*q_)(rows), heads);
  const Variable k = reshape((*k_)(rows), heads);
  const Variable v = reshape((*v_)(rows), heads);
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_width()));
  const Variable mixed = attention_mix(softmax(attention_scores(q, k, heads_, scale)), v, heads_);
  return reshape((*out_)(reshape(mixed, {B * T, inner_})), {B, T, dim_});
}

std::string MultiHeadSelfAttention::describe() const {
  return "MultiHeadSelfAttention(" + std::to_string(dim_) + ", " + std::to_string(heads_) +
         " heads of " + std::to_string(head_width()) + ")";
}

Shape MultiHeadSelfAttention::output_shape(const Shape& input) const {
  if (input.size() != 2 || input[1] != dim_)
    throw ShapeError("MultiHeadSelfAttention expects tokens (T, " + std::to_string(dim_) +
                     ") but gets " + shape_str(input));
  return input;
}

std::size_t MultiHeadSelfAttention::macs(const Shape& input) const {
  const std::size_t T = input.at(0);
  return 4 * T * dim_ * inner_ + 2 * T * T * inner_;
}

std::size_t MultiHeadSelfAttention::effective_macs(const Shape& input) const {
  const std::size_t T = input.at(0);
  const Shape token{dim_};
  return T * (q_->effective_macs(token) + k_->effective_macs(token) + v_->effective_macs(token) +
              out_->effective_macs(Shape{inner_})) +
         2 * T * T * inner_;
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
