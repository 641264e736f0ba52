#pragma once
// One pruning step: score with the criterion, group into units by the granularity, choose
// within the scope, and AND the result into the persistent masks. Schedules call this with
// their per-round cumulative targets. Semantics in docs/pruning.md.
#include "prune/criterion.h"
#include "prune/settings.h"

namespace poda {

// Counts over the targets in scope after the step. Units are the granularity's units
// (weights for unstructured and N:M); weights are the scope's prunable weights.
struct PruneStats {
  std::size_t units = 0, units_pruned = 0;
  std::size_t weights = 0, weights_pruned = 0;
  double unit_fraction() const { return units ? double(units_pruned) / units : 0.0; }
  double weight_sparsity() const { return weights ? double(weights_pruned) / weights : 0.0; }
};

// Prunes `model` so that its scope reaches the cumulative target `sparsity` (a step of a
// schedule whose final target is settings.sparsity). Throws std::invalid_argument for an
// unsupported criterion/granularity pair or an override naming no layer.
PruneStats prune(Module& model, const PruneSettings& settings, double sparsity,
                 CriterionContext& ctx);

// What prune() would refuse or silently skip, checked before anything runs: throws
// std::invalid_argument for an unsupported criterion/granularity pair, an override naming no
// layer, no layer left to prune (every layer excluded, or a criterion that scores no layer of
// this model, e.g. bn_scale without BatchNorm) and a block larger than a layer in scope.
void check_prunable(Module& model, const PruneSettings& settings);

// The target of an overridden layer when the scope's target is s on the way to `final`:
// rate_scale a gives 1 - (1 - s)^a; an explicit final sparsity S_l gives the same form with
// a = log(1 - S_l) / log(1 - final), so the layer reaches S_l exactly when s reaches final.
double override_target(double s, double final, const LayerOverride& o);

}  // namespace poda
