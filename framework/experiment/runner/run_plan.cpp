#include "experiment/runner/run_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "experiment/config/sweep.h"

namespace poda {

RunPlanError::RunPlanError(std::vector<PointError> errs)
    : UserError(format_point_errors(errs)), errors(std::move(errs)) {}

std::string format_point_errors(const std::vector<PointError>& errors) {
  // An experiment without a sweep has one run, named by no one: its error needs no run id.
  if (errors.size() == 1 && errors.front().run_id == kSingleRunId) return errors.front().message;
  std::vector<std::string> messages;  // distinct, in first-seen order
  std::map<std::string, std::vector<std::string>> runs_of;
  for (const auto& e : errors) {
    auto& runs = runs_of[e.message];
    if (runs.empty()) messages.push_back(e.message);
    runs.push_back(e.run_id);
  }
  std::string out;
  for (const auto& message : messages) {
    const auto& runs = runs_of[message];
    if (!out.empty()) out += "\n";
    out += runs.front();
    if (runs.size() > 1)
      out += " (and " + std::to_string(runs.size() - 1) + " more run" +
             (runs.size() > 2 ? "s" : "") + ")";
    out += ": " + message;
  }
  return out;
}

std::vector<std::string> RunPlan::run_ids() const {
  std::vector<std::string> ids;
  for (const auto& p : points) ids.push_back(p.run_id);
  return ids;
}

RunPlan make_run_plan(std::vector<SweepPoint> points, const ValidateFn& validate,
                      const PretrainKeyFn& key) {
  RunPlan plan;
  std::vector<PointError> errors;
  std::vector<std::string> keys(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    try {
      if (validate) validate(points[i]);
      if (key) keys[i] = key(points[i]);
    } catch (const std::exception& e) {
      errors.push_back({points[i].run_id, e.what()});
    } catch (...) {
      errors.push_back({points[i].run_id, "unknown error while validating"});
    }
  }
  if (!errors.empty()) throw RunPlanError(std::move(errors));

  std::map<std::string, std::size_t> group_index;
  plan.group_of.resize(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::size_t g = plan.groups.size();
    if (!keys[i].empty()) {
      auto [it, inserted] = group_index.emplace(keys[i], g);
      g = it->second;
      if (!inserted) {
        plan.groups[g].runs.push_back(i);
        plan.group_of[i] = g;
        continue;
      }
    }
    plan.groups.push_back({keys[i], {i}});
    plan.group_of[i] = g;
  }
  plan.points = std::move(points);
  return plan;
}

Slice parse_shard(const std::string& text) {
  const auto bad = [&]() {
    return std::invalid_argument("--shard '" + text + "': expected i/n with 0 <= i < n, e.g. 0/4");
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos) throw bad();
  const auto parse = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
      throw bad();
    return std::stoi(s);
  };
  Slice slice{parse(text.substr(0, slash)), parse(text.substr(slash + 1))};
  if (slice.count < 1 || slice.index >= slice.count) throw bad();
  return slice;
}

SliceWork slice_work(const RunPlan& plan, Slice slice, bool synchronised) {
  SliceWork work;
  const auto count = static_cast<std::size_t>(slice.count);
  const auto index = static_cast<std::size_t>(slice.index);
  std::vector<bool> mine(plan.points.size(), false);
  if (synchronised) {
    for (std::size_t g = 0; g < plan.groups.size(); ++g)
      if (!plan.groups[g].key.empty() && g % count == index) work.pretrain_groups.push_back(g);
    for (std::size_t i = 0; i < plan.points.size(); ++i) mine[i] = i % count == index;
  } else if (plan.groups.size() >= count) {
    // Largest group first onto the least loaded slice (ties: lower index): deterministic and balanced.
    std::vector<std::size_t> order(plan.groups.size());
    for (std::size_t g = 0; g < order.size(); ++g) order[g] = g;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return plan.groups[a].runs.size() > plan.groups[b].runs.size();
    });
    std::vector<std::size_t> load(count, 0);
    for (std::size_t g : order) {
      const std::size_t s =
          static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
      load[s] += plan.groups[g].runs.size();
      if (s == index)
        for (std::size_t i : plan.groups[g].runs) mine[i] = true;
    }
  } else {
    for (std::size_t i = 0; i < plan.points.size(); ++i) mine[i] = i % count == index;
  }
  for (std::size_t g = 0; g < plan.groups.size(); ++g) {
    bool needed = false;
    for (std::size_t i : plan.groups[g].runs)
      if (mine[i]) {
        work.runs.push_back(i);
        needed = true;
      }
    if (!synchronised && needed && !plan.groups[g].key.empty()) work.pretrain_groups.push_back(g);
  }
  return work;
}

}  // namespace poda
