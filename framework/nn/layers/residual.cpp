#include "nn/layers/residual.h"

#include "core/add_relu.h"
#include "core/ops.h"
#include "nn/layers/activation.h"
#include "nn/layer_spec.h"
#include "nn/model_builder.h"

namespace poda {

Residual::Residual(std::shared_ptr<Sequential> body, std::shared_ptr<Sequential> shortcut)
    : body_(register_module("body", std::move(body))) {
  if (shortcut) shortcut_ = register_module("shortcut", std::move(shortcut));
}

Variable Residual::forward(const Variable& x) {
  return add(body_->forward(x), shortcut_ ? shortcut_->forward(x) : x);
}

Variable Residual::forward_fused_with(const Variable& x, const Module& next) {
  if (!dynamic_cast<const ReLU*>(&next) || next.observed()) return {};
  return add_relu(body_->forward(x), shortcut_ ? shortcut_->forward(x) : x);
}

ModulePtr Residual::with_children(
    const std::vector<std::pair<std::string, ModulePtr>>& children) const {
  // children() lists the body first, then the projection shortcut when there is one.
  if (children.size() != (shortcut_ ? 2u : 1u)) return nullptr;
  auto body = std::dynamic_pointer_cast<Sequential>(children[0].second);
  auto shortcut = shortcut_ ? std::dynamic_pointer_cast<Sequential>(children[1].second) : nullptr;
  if (!body || (shortcut_ && !shortcut)) return nullptr;
  auto r = std::make_shared<Residual>(std::move(body), std::move(shortcut));
  r->train(is_training());
  return r;
}

std::string Residual::describe() const {
  return "Residual(" + std::to_string(body_->size()) + " layers, " +
         (shortcut_ ? "projection" : "identity") + " shortcut)";
}

Shape Residual::output_shape(const Shape& input) const {
  const Shape body_out = body_->output_shape(input);
  const Shape short_out = shortcut_ ? shortcut_->output_shape(input) : input;
  if (body_out != short_out)
    throw ShapeError("Residual body gives " + shape_str(body_out) + " but the " +
                     (shortcut_ ? "shortcut gives " : "identity shortcut passes ") +
                     shape_str(short_out) + " for input " + shape_str(input));
  return body_out;
}

std::size_t Residual::macs(const Shape& input) const {
  return body_->macs(input) + (shortcut_ ? shortcut_->macs(input) : 0);
}

std::size_t Residual::effective_macs(const Shape& input) const {
  return body_->effective_macs(input) + (shortcut_ ? shortcut_->effective_macs(input) : 0);
}

namespace {
const LayerTypeRegistrar residual_type(
    "residual",
    {{{"layers", KeyKind::layers}, {"shortcut", KeyKind::layers}},
     [](const LayerSpec& spec, const Shape& input, BuildContext& ctx) -> ModulePtr {
       Shape out;
       auto body = build_layers(spec.list_or_empty("layers"), input, ctx, out);
       std::shared_ptr<Sequential> shortcut;
       if (!spec.list_or_empty("shortcut").empty())
         shortcut = build_layers(spec.list_or_empty("shortcut"), input, ctx, out);
       return std::make_shared<Residual>(std::move(body), std::move(shortcut));
     },
     "y = body(x) + shortcut(x): layers: [...], [shortcut: [...], identity when absent]"});
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void Residual::lower(Lowering& to) {
  to.residual_begin();
  to.push_name("body");
  body_->lower(to);
  to.pop_name();
  to.residual_shortcut();
  if (shortcut_) {
    to.push_name("shortcut");
    shortcut_->lower(to);
    to.pop_name();
  }
  to.residual_end();
}

}  // namespace poda
