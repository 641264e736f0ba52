#include "prune/head_groups.h"

#include <cmath>
#include <stdexcept>

namespace poda {

std::vector<double> span_scores(const std::vector<double>& rows, std::size_t span) {
  if (span <= 1) return rows;
  std::vector<double> out(rows.size() / span, -INFINITY);
  for (std::size_t c = 0; c < out.size(); ++c)
    for (std::size_t r = c * span; r < (c + 1) * span; ++r)
      if (std::isfinite(rows[r])) out[c] = (std::isfinite(out[c]) ? out[c] : 0.0) + rows[r];
  return out;
}

bool group_in_granularity(const DependencyGroup& group, const GranularitySpec& g) {
  return group.prunable() && group.heads == (g.kind == Granularity::head);
}

void count_group_channels(Module& model, const GranularitySpec& g, std::size_t& channels,
                          std::size_t& removed) {
  for (const DependencyGroup& group : dependency_groups(model)) {
    if (!group_in_granularity(group, g)) continue;
    channels += group.channels;
    for (std::size_t c = 0; c < group.channels; ++c) removed += group_channel_removed(group, c);
  }
}

void require_head_groups(Module& model) {
  std::string pinned;
  for (const DependencyGroup& group : dependency_groups(model)) {
    if (group.heads && group.prunable()) return;
    if (group.heads && pinned.empty()) pinned = group.pinned;
  }
  throw std::invalid_argument(pinned.empty()
                                  ? "granularity 'head' needs a model with attention layers"
                                  : "granularity 'head': no head can be pruned (" + pinned + ")");
}

}  // namespace poda
