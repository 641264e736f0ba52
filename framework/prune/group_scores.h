#pragma once
// How the scores of a dependency group's members combine into one score per channel
// (`prune.group_aggregation`): every layer writing the group's channels is scored by the
// criterion on its own, and a channel's group score is the sum, mean or max of those.
#include <string>
#include <vector>

namespace poda {

enum class GroupAggregation { sum, mean, max };

// Throws std::invalid_argument listing the choices.
GroupAggregation parse_group_aggregation(const std::string& name);
std::string group_aggregation_name(GroupAggregation a);
std::vector<std::string> group_aggregation_names();

// per_writer[w][c]: writer w's score of channel c, -inf where that writer's unit is already
// removed. A channel scores -inf when every writer has it removed; otherwise the aggregation
// of its finite scores.
std::vector<double> aggregate_group_scores(const std::vector<std::vector<double>>& per_writer,
                                           GroupAggregation how);

}  // namespace poda
