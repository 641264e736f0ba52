#include "nn/layers/token_embeddings.h"

#include <string>

#include "core/ops_transformer.h"
#include "nn/layer_spec.h"

namespace poda {

namespace {
Array normal_array(const Shape& shape, float std, Rng& rng) {
  Array a = empty_array(shape);
  for (float& v : a) v = std * rng.normal();
  return a;
}

void require_tokens(const char* layer, const Shape& input) {
  if (input.size() != 2 || numel(input) == 0)
    throw ShapeError(std::string(layer) + " expects tokens (T, D) but gets " + shape_str(input));
}

constexpr float embedding_std = 0.02f;
}  // namespace

ClassToken::ClassToken(std::size_t dim, Rng& rng) : dim_(dim) {
  token_ = &register_parameter("token", normal_array({dim_}, embedding_std, rng), false);
}

Variable ClassToken::forward(const Variable& x) {
  return prepend_token(x, token_->effective());
}

Shape ClassToken::output_shape(const Shape& input) const {
  require_tokens("ClassToken", input);
  if (input[1] != dim_)
    throw ShapeError("ClassToken of " + std::to_string(dim_) + " features gets tokens " +
                     shape_str(input));
  return {input[0] + 1, dim_};
}

PositionalEmbedding::PositionalEmbedding(std::size_t tokens, std::size_t dim, Rng& rng)
    : tokens_(tokens), dim_(dim) {
  position_ =
      &register_parameter("position", normal_array({tokens_, dim_}, embedding_std, rng), false);
}

Variable PositionalEmbedding::forward(const Variable& x) {
  return add_to_each_sample(x, position_->effective());  // (B, T, D) + (T, D)
}

Shape PositionalEmbedding::output_shape(const Shape& input) const {
  if (input != Shape{tokens_, dim_})
    throw ShapeError("PositionalEmbedding for " + shape_str({tokens_, dim_}) + " gets tokens " +
                     shape_str(input));
  return input;
}

ModulePtr ClassToken::copied() const {
  Rng rng(0);  // the initial values are all overwritten
  auto c = std::make_shared<ClassToken>(dim_, rng);
  gather_effective(*token_, all_indices(dim_), {0}, 1, 1, c->token());
  return c;
}

ModulePtr PositionalEmbedding::copied() const {
  Rng rng(0);
  auto p = std::make_shared<PositionalEmbedding>(tokens_, dim_, rng);
  gather_effective(*position_, all_indices(tokens_), all_indices(dim_), dim_, 1, p->position());
  return p;
}

void ClassToken::lower(Lowering& to) {
  to.prepend_token(folded_value(*token_));
}

void PositionalEmbedding::lower(Lowering& to) {
  to.add_positions(folded_value(*position_));
}

namespace {
const LayerTypeRegistrar class_token_type("class_token",
                                          {{},
                                           [](const LayerSpec&, const Shape& input,
                                              BuildContext& ctx) -> ModulePtr {
                                             require_tokens("class_token", input);
                                             return std::make_shared<ClassToken>(input[1], ctx.rng);
                                           },
                                           "(T, D) -> (T+1, D): a learned class token first"});

const LayerTypeRegistrar position_type(
    "pos_embed", {{},
                  [](const LayerSpec&, const Shape& input, BuildContext& ctx) -> ModulePtr {
                    require_tokens("pos_embed", input);
                    return std::make_shared<PositionalEmbedding>(input[0], input[1], ctx.rng);
                  },
                  "(T, D) -> (T, D): adds a learned embedding per position"});
}  // namespace

}  // namespace poda
