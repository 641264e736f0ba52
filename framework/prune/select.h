#pragma once
// The rounding and tie rules every scope and granularity shares (docs/pruning.md).
#include <cstddef>
#include <vector>

namespace poda {

// How many of n units a fraction s means: round half up, k = floor(s * n + 0.5), in [0, n].
std::size_t units_for_fraction(double s, std::size_t n);

// Indices of the k lowest scores; ties go to the lower index first (a strict total order on
// (score, index), so the choice is deterministic). -inf marks units that are already dead.
std::vector<std::size_t> lowest_k(const std::vector<double>& scores, std::size_t k);

}  // namespace poda
