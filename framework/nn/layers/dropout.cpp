#include "nn/layers/dropout.h"

#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "nn/layer_spec.h"

namespace poda {

Dropout::Dropout(float p, std::uint64_t seed) : p_(p), rng_(seed) {
  if (!(p >= 0.0f && p < 1.0f))
    throw std::invalid_argument("Dropout: p must be in [0, 1), got " + std::to_string(p));
}

Variable Dropout::forward(const Variable& x) {
  if (!is_training() || p_ == 0.0f) return x;
  return dropout(x, p_, rng_);
}

std::string Dropout::describe() const {
  return "Dropout(p " + std::to_string(p_) + ")";
}

namespace {
const LayerTypeRegistrar dropout_type(
    "dropout", {{{"p", KeyKind::number}},
                [](const LayerSpec& spec, const Shape&, BuildContext& ctx) -> ModulePtr {
                  // The seed comes from the model's generator: same model seed, same dropout masks.
                  return std::make_shared<Dropout>(static_cast<float>(spec.number_or("p", 0.5)),
                                                   ctx.rng.next());
                },
                "dropout: [p: 0.5], seeded from the model seed; identity in evaluation"});
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void Dropout::lower(Lowering&) {}  // the identity in evaluation mode

}  // namespace poda
