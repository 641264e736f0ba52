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

// lowest_k over scores made of consecutive groups (group g ends before group_end[g]), where
// group g gives at most cap[g] entries: the per-layer floor. Dead entries (-inf) are always
// taken and count toward k and their group's cap; the others are taken in lowest_k's order
// while their group is under its cap. Returns fewer than k when the caps leave too few.
std::vector<std::size_t> lowest_k_capped(const std::vector<double>& scores,
                                         const std::vector<std::size_t>& group_end,
                                         const std::vector<std::size_t>& cap, std::size_t k);

}  // namespace poda
