#pragma once
// The learned vectors a ViT adds to its patch tokens (Dosovitskiy et al. 2021): a class token
// prepended to every sample and a positional embedding added per position. Both start from
// N(0, 0.02^2) as in timm's ViT and are never pruned.
#include "core/random.h"
#include "nn/lowering.h"
#include "nn/module.h"

namespace poda {

// (T, D) -> (T + 1, D): the learned "token" (D) first.
class ClassToken : public Module {
 public:
  ClassToken(std::size_t dim, Rng& rng);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "ClassToken"; }
  Shape output_shape(const Shape& input) const override;
  Parameter& token() { return *token_; }
  void lower(Lowering& to) override;  // inference lowering (nn/lowering.h)
  ModulePtr copied() const override;  // compaction crosses it where all features stay

 private:
  std::size_t dim_;
  Parameter* token_;
};

// (T, D) -> (T, D) + "position" (T, D).
class PositionalEmbedding : public Module {
 public:
  PositionalEmbedding(std::size_t tokens, std::size_t dim, Rng& rng);
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "PositionalEmbedding"; }
  Shape output_shape(const Shape& input) const override;
  Parameter& position() { return *position_; }
  void lower(Lowering& to) override;
  ModulePtr copied() const override;

 private:
  std::size_t tokens_, dim_;
  Parameter* position_;
};

}  // namespace poda
