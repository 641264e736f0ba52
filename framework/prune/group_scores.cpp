#include "prune/group_scores.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace poda {

namespace {
const std::pair<GroupAggregation, const char*> aggregations[] = {{GroupAggregation::sum, "sum"},
                                                                 {GroupAggregation::mean, "mean"},
                                                                 {GroupAggregation::max, "max"}};
}  // namespace

GroupAggregation parse_group_aggregation(const std::string& name) {
  for (const auto& [a, n] : aggregations)
    if (n == name) return a;
  throw std::invalid_argument("unknown group_aggregation '" + name +
                              "' (expected one of: sum, mean, max)");
}

std::string group_aggregation_name(GroupAggregation a) {
  for (const auto& [e, n] : aggregations)
    if (e == a) return n;
  return "?";
}

std::vector<std::string> group_aggregation_names() {
  std::vector<std::string> out;
  for (const auto& [e, n] : aggregations) out.push_back(n);
  return out;
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
