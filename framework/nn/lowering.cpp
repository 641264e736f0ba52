#include "nn/lowering.h"

#include <stdexcept>

#include "nn/module.h"

namespace poda {

std::string Lowering::layer_name() const {
  std::string name;
  for (const std::string& n : names_) name += (name.empty() ? "" : ".") + n;
  return name;
}

namespace {
[[noreturn]] void unsupported(const Lowering& to, const std::string& what) {
  throw std::invalid_argument("layer '" + to.layer_name() + "': " + what +
                              " is not supported by this lowering");
}
}  // namespace

void Lowering::layer_norm(Array, Array, float) {
  unsupported(*this, "LayerNorm");
}
void Lowering::gelu() {
  unsupported(*this, "GELU");
}
void Lowering::to_tokens() {
  unsupported(*this, "ToTokens");
}
void Lowering::prepend_token(Array) {
  unsupported(*this, "ClassToken");
}
void Lowering::add_positions(Array) {
  unsupported(*this, "PositionalEmbedding");
}
void Lowering::token_pool(bool) {
  unsupported(*this, "TokenPool");
}
void Lowering::tokenwise_begin() {
  unsupported(*this, "Tokenwise");
}
void Lowering::tokenwise_end() {
  unsupported(*this, "Tokenwise");
}
void Lowering::attention(AttentionWeights) {
  unsupported(*this, "MultiHeadSelfAttention");
}

Array folded_value(const Parameter& p) {
  if (!p.has_mask()) return p.value.data();
  return p.value.data() * p.mask.data();
}

void Module::lower(Lowering& to) {
  throw std::invalid_argument("layer '" + to.layer_name() + "' (" + type_name() +
                              ") has no inference lowering");
}

}  // namespace poda
