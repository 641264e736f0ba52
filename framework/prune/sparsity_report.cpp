#include "prune/sparsity_report.h"

#include <cstdio>

#include "prune/dead_inputs.h"
#include "prune/dependency_groups.h"
#include "prune/target.h"

namespace poda {

namespace {
std::size_t count_nonzero(const Parameter& p) {
  const float* w = p.value.data().data();
  const float* m = p.has_mask() ? p.mask.data().data() : nullptr;
  std::size_t n = 0;
  for (std::size_t i = 0, size = p.value.size(); i < size; ++i)
    n += w[i] != 0.0f && (!m || m[i] != 0.0f);
  return n;
}

// The output units of t that are removed as compaction removes them: by its dependency group
// (every writer and BatchNorm of the channel masked; none from a pinned group), or by the
// one-layer definition of prune/dead_inputs.h when no group holds t.
std::vector<bool> removed_units(const PruneTarget& t, const std::vector<DependencyGroup>& groups) {
  const DependencyGroup* g = group_written_by(groups, t.layer);
  if (!g) return dead_output_units(t);
  std::vector<bool> removed(t.out_units(), false);
  if (g->prunable())
    for (std::size_t u = 0; u < removed.size(); ++u) removed[u] = group_channel_removed(*g, u);
  return removed;
}

}  // namespace

SparsityReport sparsity_report(Module& model) {
  SparsityReport r;
  const std::vector<PruneTarget> targets = collect_targets(model);
  const std::vector<DependencyGroup> groups = dependency_groups(model);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const PruneTarget& t = targets[i];
    LayerSparsity l;
    l.name = t.name;
    l.params = t.weight->value.size();
    l.nonzero = count_nonzero(*t.weight);
    l.units = t.out_units();
    for (bool removed : removed_units(t, groups)) l.units_alive += !removed;
    r.params += l.params;
    r.nonzero += l.nonzero;
    // The last layer's units are the classes: never prunable, so not in the fraction.
    if (i + 1 < targets.size()) {
      r.units += l.units;
      r.units_alive += l.units_alive;
    }
    r.layers.push_back(l);
  }
  for (Parameter* p : model.parameters()) {
    r.total_params += p->value.size();
    r.total_nonzero += count_nonzero(*p);
  }
  return r;
}

std::string format_sparsity_table(const SparsityReport& report) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%-20s %10s %10s %9s %12s\n", "layer", "params", "nonzero",
                "sparsity", "units alive");
  out += line;
  auto row = [&](const std::string& name, std::size_t params, std::size_t nonzero, double s,
                 std::size_t alive, std::size_t units) {
    std::snprintf(line, sizeof line, "%-20s %10zu %10zu %8.2f%% %5zu / %-5zu\n", name.c_str(),
                  params, nonzero, 100.0 * s, alive, units);
    out += line;
  };
  for (const LayerSparsity& l : report.layers)
    row(l.name, l.params, l.nonzero, l.sparsity(), l.units_alive, l.units);
  row("total", report.params, report.nonzero, report.sparsity(), report.units_alive, report.units);
  return out;
}

std::string SparsityReport::disconnection() const {
  for (const LayerSparsity& l : layers)
    if (l.nonzero == 0)
      return "layer '" + l.name + "' has no weight left (" +
             std::to_string(l.units - l.units_alive) + " of " + std::to_string(l.units) +
             " units removed): the output no longer depends on the input";
  return "";
}

}  // namespace poda
