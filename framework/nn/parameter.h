#pragma once
// A trainable tensor and its optional pruning mask (torch.nn.utils.prune's weight_orig +
// weight_mask). The layer's forward uses effective() = value ⊙ mask, so the gradient of a
// pruned weight is zero; optimizers call apply_mask() after every step, so neither momentum,
// Adam state nor weight decay can bring a pruned weight back.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/variable.h"

namespace poda {

struct Parameter {
  Variable value;  // requires_grad
  Variable mask;   // undefined = dense; else same shape, 1 keep / 0 pruned, no grad
  bool prunable = false;
  // Quantization-aware training: effective() goes through fake_quantize_weight (core/
  // fake_quant.h), so the forward sees the int8 weight and the gradient passes straight through.
  bool fake_quant = false;

  bool has_mask() const { return mask.defined(); }
  // value ⊙ mask as a graph op when masked, the value itself otherwise; fake-quantized on
  // its per-channel int8 grid when fake_quant is set (a pruned weight stays exactly 0).
  Variable effective() const;
  // Installs a mask (shape-checked) and zeros the pruned values at once.
  void set_mask(Array mask_values);
  void remove_mask();
  // value *= mask (no-op without a mask).
  void apply_mask();
  // Zeros entries of an optimizer-state or gradient buffer where the mask is 0.
  void mask_buffer(Array& buffer) const;

  // Changes with every set_mask() and remove_mask(): what a layer's cached sparse format of
  // the mask is checked against (masks are only ever installed through these two).
  std::uint64_t mask_version() const { return mask_version_; }
  // Flat indices of the mask's kept entries, ascending (every index without a mask); built
  // on the first call after each mask change. Optimizers update only these when the mask
  // is sparse enough (train/optimizer.h).
  const std::vector<std::uint32_t>& live_indices() const;

 private:
  std::uint64_t mask_version_ = 0;
  mutable std::uint64_t live_version_ = ~std::uint64_t(0);
  mutable std::shared_ptr<const std::vector<std::uint32_t>> live_;
};

// Entries of value ⊙ mask that are non-zero.
std::size_t count_nonzero_effective(const Parameter& p);

// value ⊙ mask at flat index i.
float effective_at(const Parameter& p, std::size_t i);
// 0, 1, ..., n - 1: every row or column, for gather_effective.
std::vector<std::size_t> all_indices(std::size_t n);
// Compaction: `to` (rows, cols, inner) = value ⊙ mask of `from` viewed as (R, C, inner) at the
// given rows and columns (inner = kH * kW for a conv weight, 1 for Dense; a vector is
// (R, 1, 1) with cols = {0}).
void gather_effective(const Parameter& from, const std::vector<std::size_t>& rows,
                      const std::vector<std::size_t>& cols, std::size_t C, std::size_t inner,
                      Parameter& to);

}  // namespace poda
