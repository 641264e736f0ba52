#include "prune/group_scores.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

namespace poda {

namespace {
const char* const names[] = {"sum", "mean", "max"};  // indexed by GroupAggregation
}  // namespace

GroupAggregation parse_group_aggregation(const std::string& name) {
  const std::vector<std::string> all = group_aggregation_names();
  const auto it = std::find(all.begin(), all.end(), name);
  if (it == all.end())
    throw std::invalid_argument("unknown group_aggregation '" + name +
                                "' (expected one of: sum, mean, max)");
  return static_cast<GroupAggregation>(it - all.begin());
}

std::string group_aggregation_name(GroupAggregation a) {
  return names[static_cast<std::size_t>(a)];
}

std::vector<std::string> group_aggregation_names() {
  return {std::begin(names), std::end(names)};
}

std::vector<double> aggregate_group_scores(const std::vector<std::vector<double>>& per_writer,
                                           GroupAggregation how) {
  const std::size_t channels = per_writer.empty() ? 0 : per_writer.front().size();
  std::vector<double> out(channels, -INFINITY);
  for (std::size_t c = 0; c < channels; ++c) {
    double sum = 0.0, max = -INFINITY;
    std::size_t n = 0;
    for (const std::vector<double>& w : per_writer) {
      if (!std::isfinite(w[c])) continue;
      sum += w[c];
      max = std::max(max, w[c]);
      ++n;
    }
    if (n == 0) continue;
    out[c] = how == GroupAggregation::sum ? sum : how == GroupAggregation::mean ? sum / n : max;
  }
  return out;
}

}  // namespace poda
