#pragma once
// A unit whose weights, bias and BatchNorm channel are all masked outputs exactly zero, so
// the inputs of the next layer it feeds are dead: masking them changes nothing the network
// computes, and lets FLOP counting and compaction see them.
#include <vector>

#include "prune/target.h"

namespace poda {

// Whether flat entry i of p is masked; a missing parameter (nullptr) counts as masked.
bool entry_masked(const Parameter* p, std::size_t i);

// The one definition of a removed output unit, shared by the pruner's counts,
// sparsity_report (units_removed), dead-input propagation and compaction: its weights, its
// bias and its following BatchNorm's gamma and beta are all masked, so it provably outputs
// zero. Missing parameters (no bias, no BatchNorm) count as masked.
bool output_unit_removed(const Parameter& weight, const Parameter* bias, const Parameter* bn_gamma,
                         const Parameter* bn_beta, std::size_t unit);

// Output units of t that are provably zero (by masks, not by values).
std::vector<bool> dead_output_units(const PruneTarget& t);
// Masks the consumer inputs fed by dead output units, for every target with a consumer.
void mark_dead_inputs(std::vector<PruneTarget>& targets);

}  // namespace poda
