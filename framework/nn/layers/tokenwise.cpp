#include "nn/layers/tokenwise.h"

#include <string>

#include "core/ops_transformer.h"
#include "nn/layer_spec.h"
#include "nn/model_builder.h"

namespace poda {

namespace {
void require_tokens(const Shape& input) {
  if (input.size() != 2)
    throw ShapeError("Tokenwise expects tokens (T, D) but gets " + shape_str(input));
}
}  // namespace

// The body's children become this layer's own, so their parameter names carry no "body.".
Tokenwise::Tokenwise(std::shared_ptr<Sequential> body) : body_(std::move(body)) {
  for (const auto& [name, layer] : body_->children()) register_module(name, layer);
}

Variable Tokenwise::forward(const Variable& x) {
  if (x.data().dimension() != 3)
    throw std::invalid_argument("Tokenwise: input " + shape_str(x.shape()) + " is not (B, T, D)");
  const std::size_t B = x.dim(0), T = x.dim(1);
  Variable y = reshape(x, {B * T, x.dim(2)});
  for (const auto& [name, layer] : children()) y = (*layer)(y);
  return reshape(y, {B, T, y.size() / (B * T)});
}

std::string Tokenwise::describe() const {
  return "Tokenwise(" + std::to_string(body_->size()) + " layers)";
}

Shape Tokenwise::output_shape(const Shape& input) const {
  require_tokens(input);
  const Shape out = body_->output_shape({input[1]});
  if (out.size() != 1)
    throw ShapeError("Tokenwise layers must map a token's features (" + std::to_string(input[1]) +
                     ") to features, got " + shape_str(out));
  return {input[0], out[0]};
}

std::size_t Tokenwise::macs(const Shape& input) const {
  require_tokens(input);
  return input[0] * body_->macs({input[1]});
}

std::size_t Tokenwise::effective_macs(const Shape& input) const {
  require_tokens(input);
  return input[0] * body_->effective_macs({input[1]});
}

ModulePtr Tokenwise::with_children(
    const std::vector<std::pair<std::string, ModulePtr>>& children) const {
  auto body = std::make_shared<Sequential>();
  for (const auto& [name, layer] : children) body->add(name, layer);
  auto t = std::make_shared<Tokenwise>(std::move(body));
  t->train(is_training());
  return t;
}

void Tokenwise::lower(Lowering& to) {
  to.tokenwise_begin();
  for (const auto& [name, layer] : children()) {
    to.push_name(name);
    layer->lower(to);
    to.pop_name();
  }
  to.tokenwise_end();
}

namespace {
const LayerTypeRegistrar tokenwise_type(
    "tokenwise", {{{"layers", KeyKind::layers}},
                  [](const LayerSpec& spec, const Shape& input, BuildContext& ctx) -> ModulePtr {
                    require_tokens(input);
                    Shape out;
                    return std::make_shared<Tokenwise>(
                        build_layers(spec.list_or_empty("layers"), {input[1]}, ctx, out));
                  },
                  "runs layers: [...] on each token (T, D) -> (T, D'), e.g. a transformer's MLP"});
}  // namespace

}  // namespace poda
