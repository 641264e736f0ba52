#pragma once
// Optimizers update parameters in one fused pass each, then re-apply the parameter's mask,
// so no update (momentum, Adam moments, weight decay) can revive a pruned weight. The
// gradient is masked too, so a pruned weight's state never grows. A sparse mask's kept
// entries are visited alone (sparse_update_max_density), with the same arithmetic. When a
// parameter's mask changes under the optimizer (gradual pruning, SET/RigL mask updates), its
// state is zeroed at the entries now pruned, so a weight grown back later starts with no
// momentum (as RigL's new connections do).
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "nn/parameter.h"

namespace poda {

// A masked parameter keeping at most this fraction of its entries is updated entry by kept
// entry (the state stays dense, indexed like the weight); above it, one masked pass over all.
constexpr double sparse_update_max_density = 0.25;

class Optimizer {
 public:
  explicit Optimizer(std::vector<Parameter*> params, float lr)
      : params_(std::move(params)), lr_(lr) {}
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  void zero_grad();
  void set_lr(float lr) { lr_ = lr; }
  float lr() const { return lr_; }
  const std::vector<Parameter*>& params() const { return params_; }

 protected:
  // Zeros each of `state` (parameter k's buffers) where the mask is 0 when parameter k's
  // mask changed since the last call.
  void forget_pruned_state(std::size_t k, std::initializer_list<Array*> state);

  std::vector<Parameter*> params_;
  float lr_;

 private:
  std::vector<std::uint64_t> mask_versions_;
};

struct SgdSettings {
  float momentum = 0.0f;
  bool nesterov = false;
  float weight_decay = 0.0f;  // L2, added to the gradient
};

class Sgd : public Optimizer {
 public:
  Sgd(std::vector<Parameter*> params, float lr, SgdSettings settings);
  void step() override;

 private:
  SgdSettings settings_;
  std::vector<Array> velocity_;  // per parameter, created on the first step
};

struct AdamSettings {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  float weight_decay = 0.0f;
  bool decoupled = false;  // AdamW (Loshchilov & Hutter) instead of L2 in the gradient
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Parameter*> params, float lr, AdamSettings settings);
  void step() override;

 private:
  AdamSettings settings_;
  std::vector<Array> m_, v_;
  long steps_ = 0;
};

}  // namespace poda
