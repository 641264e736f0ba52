#pragma once
// How a structured granularity groups the elements of a target's weight into units.
// The weight is viewed as (out, in, k) with k = kH * kW (1 for Dense):
//   neuron / filter: unit o = all (o, *, *)                     -> out units
//   channel:         unit i = all (*, i, *)  (groups == 1 only)  -> in units
//   block (r x c):   tiles of the 2-D view (out, in * k), edge tiles partial
#include <cstdint>
#include <vector>

#include "prune/granularity.h"
#include "prune/target.h"

namespace poda {

struct UnitLayout {
  std::size_t units = 0;               // 0 = this granularity does not apply to the target
  std::vector<std::uint32_t> unit_of;  // per weight element
  std::vector<std::size_t> unit_size;  // elements per unit
};

UnitLayout unit_layout(const PruneTarget& t, const GranularitySpec& g);

// Sum of the unit's unmasked element scores (mean when asked: blocks, whose edge tiles are
// smaller, and global rankings, where units differ in fan-in).
std::vector<double> aggregate_scores(const UnitLayout& layout, const Array& element_scores,
                                     bool mean, const Parameter& weight);
// A unit is alive while any of its weights is unmasked.
std::vector<bool> units_alive(const UnitLayout& layout, const Parameter& weight);
// Zeros the mask entries of the given units (mask has the weight's shape).
void clear_units(const UnitLayout& layout, const std::vector<bool>& pruned, Array& mask);

// The N:M mask: in every group of M consecutive input positions (axis 1, for each output and
// kernel position) the N highest scores stay; a tail group of r < M positions keeps
// min(N, r). Already-masked entries stay masked (they score -inf).
Array n_m_mask(const Parameter& weight, const Array& scores, int n, int m);

}  // namespace poda
