#pragma once
// Attention heads as units of structured pruning (granularity `head`): a head's group score
// from its writers' row scores, and which dependency groups a granularity prunes.
#include <vector>

#include "prune/dependency_groups.h"
#include "prune/granularity.h"

namespace poda {

// A writer's row scores summed over each channel's `span` rows (a head's rows of q, k or v);
// -inf where every row is dead. span 1 returns the rows.
std::vector<double> span_scores(const std::vector<double>& rows, std::size_t span);

// The groups a granularity prunes: attention heads for `head`, every other prunable group for
// neuron and filter.
bool group_in_granularity(const DependencyGroup& group, const GranularitySpec& g);

// Channels of the groups `g` prunes in `model`, and how many of them are removed.
void count_group_channels(Module& model, const GranularitySpec& g, std::size_t& channels,
                          std::size_t& removed);

// Throws std::invalid_argument when `model` has no attention heads to prune.
void require_head_groups(Module& model);

}  // namespace poda
