#include "prune/pruner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "prune/dead_inputs.h"
#include "prune/dependency_groups.h"
#include "prune/head_groups.h"
#include "prune/select.h"
#include "prune/units.h"

namespace poda {

namespace {

// One target in scope and how it is pruned.
struct Plan {
  PruneTarget* t = nullptr;
  double target = 0.0;
  bool global = false;
  UnitLayout layout;  // structured granularities
};

// A scored tensor competing in a pool: a weight (its elements or units) or a bias.
struct Entry {
  Plan* plan = nullptr;
  Parameter* param = nullptr;
  std::vector<double> scores;  // -inf where already dead
  std::vector<bool> pruned;
  std::size_t cap = 0;  // how many of its entries may be pruned (the layer floor)
  const DependencyGroup* group = nullptr;  // neuron/filter: the channels are this group's
};

// How many of a layer's n units may be pruned: min_units stay, at most max_layer_sparsity go.
std::size_t removable_units(std::size_t n, const PruneSettings& s) {
  const std::size_t keep = std::min<std::size_t>(n, static_cast<std::size_t>(s.min_units));
  const auto by_sparsity = static_cast<std::size_t>(std::floor(s.max_layer_sparsity * n + 1e-9));
  return std::min(n - keep, by_sparsity);
}

const LayerOverride* find_override(const PruneSettings& s, const PruneTarget& t) {
  for (const LayerOverride& o : s.overrides)
    if (o.name == t.name || o.name == t.weight_name) return &o;
  return nullptr;
}

Array mask_or_ones(const Parameter& p) {
  return p.has_mask() ? Array(p.mask.data()) : Array(xt::ones<float>(p.value.shape()));
}

std::vector<double> element_scores(const Array& scores, const Parameter& p) {
  std::vector<double> out(scores.begin(), scores.end());
  if (p.has_mask()) {
    const float* m = p.mask.data().data();
    for (std::size_t i = 0; i < out.size(); ++i)
      if (m[i] == 0.0f) out[i] = -INFINITY;
  }
  return out;
}

// Structured units of different layers differ in fan-in and scale (an fc1 row sums 784
// weights, an fc2 row 300), so a global ranking of raw unit scores empties whole layers.
// Dividing by the layer's mean over its alive units (Torch-Pruning's mean normalisation)
// makes units comparable as "how important within their layer".
void normalize_by_layer_mean(std::vector<double>& scores) {
  double sum = 0.0;
  std::size_t n = 0;
  for (double v : scores)
    if (std::isfinite(v)) sum += v, ++n;
  const double mean = n ? sum / n : 0.0;
  if (mean <= 0.0) return;
  for (double& v : scores)
    if (std::isfinite(v)) v /= mean;
}

// The k lowest of the pool, no entry beyond its cap: a capped layer's share goes to the others'
// next-lowest units, so the target is met unless the caps leave too few. Consumes the
// entries' scores (a global pool over a large model holds millions).
void select_in_pool(std::vector<Entry*>& pool, double target) {
  std::vector<double> all;
  std::vector<std::size_t> sizes, ends, caps;
  for (Entry* e : pool) {
    sizes.push_back(e->scores.size());
    all.insert(all.end(), e->scores.begin(), e->scores.end());
    ends.push_back(all.size());
    caps.push_back(e->cap);
    e->pruned.assign(e->scores.size(), false);
    std::vector<double>().swap(e->scores);
  }
  const std::vector<std::size_t> chosen =
      lowest_k_capped(all, ends, caps, units_for_fraction(target, all.size()));
  std::size_t entry = 0, offset = 0;
  for (std::size_t idx : chosen) {  // sorted ascending
    while (idx >= offset + sizes[entry]) offset += sizes[entry++];
    pool[entry]->pruned[idx - offset] = true;
  }
}

void clear_at(Parameter* p, const std::vector<bool>& pruned) {
  if (!p) return;
  Array mask = mask_or_ones(*p);
  for (std::size_t u = 0; u < pruned.size(); ++u)
    if (pruned[u]) mask.data()[u] = 0.0f;
  p->set_mask(std::move(mask));
}

std::size_t count_zero_mask(const Parameter& p) {
  if (!p.has_mask()) return 0;
  std::size_t n = 0;
  for (float v : p.mask.data()) n += v == 0.0f;
  return n;
}

void check_overrides_match(const PruneSettings& settings, const std::vector<PruneTarget>& targets) {
  for (const LayerOverride& o : settings.overrides) {
    bool found = false;
    std::string names;
    for (const PruneTarget& t : targets) {
      found = found || o.name == t.name || o.name == t.weight_name;
      names += (names.empty() ? "" : ", ") + t.name;
    }
    if (!found)
      throw std::invalid_argument("prune override '" + o.name +
                                  "' matches no prunable layer (layers: " + names + ")");
  }
}

std::unique_ptr<Criterion> supporting_criterion(const PruneSettings& settings) {
  std::unique_ptr<Criterion> criterion = make_criterion(settings.criterion);
  if (!criterion->supports(settings.granularity.kind))
    throw std::invalid_argument("criterion '" + settings.criterion +
                                "' does not support granularity '" +
                                granularity_name(settings.granularity.kind) + "'");
  return criterion;
}

// The targets in scope, each with its own target sparsity and pool.
std::vector<Plan> plan_targets(std::vector<PruneTarget>& targets, const PruneSettings& settings,
                               const Criterion& criterion, double sparsity) {
  const GranularitySpec& g = settings.granularity;
  std::vector<Plan> plans;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    PruneTarget& t = targets[i];
    const bool first = i == 0, last = i + 1 == targets.size();
    if ((settings.exclude_first && first) || (settings.exclude_last && last)) continue;
    // Removing output units of the classifier would remove classes; removing input channels
    // of the first convolution would remove colour planes of the data.
    if (g.removes_output_units() && last) continue;
    if (g.kind == Granularity::channel && first && t.weight->value.shape().size() > 2) continue;
    const LayerOverride* o = find_override(settings, t);
    if ((o && o->exclude) || !criterion.can_score(t)) continue;
    Plan p;
    p.t = &t;
    p.target = o ? override_target(sparsity, settings.sparsity, *o) : sparsity;
    p.global = settings.scope == Scope::global && !o;
    if (g.structured()) {
      p.layout = unit_layout(t, g);
      if (p.layout.units == 0) continue;
    }
    plans.push_back(std::move(p));
  }
  return plans;
}

void prepare_criterion(Criterion& criterion, const std::vector<PruneTarget>& targets,
                       const std::vector<Plan>& plans, const PruneSettings& settings,
                       CriterionContext& ctx) {
  ctx.granularity = settings.granularity;
  ctx.reconstruction = settings.reconstruction;
  ctx.target_sparsity.clear();
  for (const Plan& p : plans) ctx.target_sparsity[p.t->name] = p.target;
  if (criterion.needs_activations() && ctx.run_forward)
    ctx.activations = collect_activations(*ctx.model, targets, ctx.run_forward, ctx.batches);
  std::vector<const PruneTarget*> scored;
  for (const Plan& p : plans) scored.push_back(p.t);
  criterion.prepare(scored, ctx);
}

// Unstructured: the weights' (and with include_bias the biases') element scores.
void add_element_entries(Plan& p, const Criterion& criterion, const CriterionContext& ctx,
                         const PruneSettings& settings, std::vector<Entry>& entries) {
  Entry e{&p, p.t->weight, {}, {}};
  e.scores =
      element_scores(criterion.score_weights(p.t->weight_name, *p.t->weight, ctx), *p.t->weight);
  e.cap = removable_units(e.scores.size(), settings);
  entries.push_back(std::move(e));
  if (settings.include_bias && p.t->bias) {
    Entry b{&p, p.t->bias, {}, {}};
    b.scores = element_scores(criterion.score_weights(p.t->bias_name, *p.t->bias, ctx), *p.t->bias);
    b.cap = b.scores.size();
    entries.push_back(std::move(b));
  }
}

// Structured: one score per unit, dead units at -inf, normalised in a global pool.
Entry unit_entry(Plan& p, const Criterion& criterion, const CriterionContext& ctx,
                 const PruneSettings& settings) {
  const GranularitySpec& g = settings.granularity;
  Entry e{&p, p.t->weight, {}, {}};
  e.cap = removable_units(p.layout.units, settings);
  if (criterion.level() == Criterion::Level::unit) {
    Array s = criterion.score_units(*p.t, g, ctx);
    e.scores.assign(s.begin(), s.end());
  } else {
    e.scores =
        aggregate_scores(p.layout, criterion.score_weights(p.t->weight_name, *p.t->weight, ctx),
                         g.kind == Granularity::block, *p.t->weight);
  }
  const std::vector<bool> alive = units_alive(p.layout, *p.t->weight);
  for (std::size_t u = 0; u < alive.size(); ++u)
    if (!alive[u]) e.scores[u] = -INFINITY;
  if (p.global) normalize_by_layer_mean(e.scores);
  return e;
}

// The global pool reaches `sparsity`; every other plan is its own pool at its own target.
void select_all(std::vector<Plan>& plans, std::vector<Entry>& entries, double sparsity) {
  std::vector<Entry*> global_pool;
  for (Entry& e : entries)
    if (e.plan->global) global_pool.push_back(&e);
  if (!global_pool.empty()) select_in_pool(global_pool, sparsity);
  for (Plan& p : plans) {
    if (p.global) continue;
    std::vector<Entry*> pool;
    for (Entry& e : entries)
      if (e.plan == &p) pool.push_back(&e);
    select_in_pool(pool, p.target);
  }
}

void apply_selection(std::vector<Entry>& entries, const GranularitySpec& g) {
  for (Entry& e : entries) {
    if (e.group) {
      mask_group_channels(*e.group, e.pruned);
      continue;
    }
    if (!g.structured()) {
      clear_at(e.param, e.pruned);
      continue;
    }
    Array mask = mask_or_ones(*e.param);
    clear_units(e.plan->layout, e.pruned, mask);
    e.param->set_mask(std::move(mask));
    if (g.removes_output_units()) {
      clear_at(e.plan->t->bias, e.pruned);
      clear_at(e.plan->t->bn_weight, e.pruned);
      clear_at(e.plan->t->bn_bias, e.pruned);
    }
  }
}

// Neuron, filter and head pruning: one entry per prunable group of the granularity whose
// writers are all in scope, scored by aggregating the writers' unit scores (a head's summed
// over its rows). The group follows the plan of its first writer with a layer scope, if any.
void add_group_entries(std::vector<Plan>& plans, const std::vector<DependencyGroup>& groups,
                       const Criterion& criterion, const CriterionContext& ctx,
                       const PruneSettings& settings, std::vector<Entry>& entries) {
  for (const DependencyGroup& group : groups) {
    if (!group_in_granularity(group, settings.granularity)) continue;
    std::vector<std::vector<double>> per_writer;
    Plan* lead = nullptr;
    for (const GroupMember* w : group.writers()) {
      auto it = std::find_if(plans.begin(), plans.end(),
                             [&](const Plan& p) { return p.t->layer == w->layer; });
      if (it == plans.end()) break;  // a writer out of scope keeps the whole group
      per_writer.push_back(span_scores(unit_entry(*it, criterion, ctx, settings).scores, w->span));
      if (!lead || (lead->global && !it->global)) lead = &*it;
    }
    if (per_writer.size() != group.writers().size()) continue;
    Entry e{lead, nullptr, aggregate_group_scores(per_writer, settings.group_aggregation), {}};
    e.cap = removable_units(group.channels, settings);
    e.group = &group;
    entries.push_back(std::move(e));
  }
}

void prune_in_pools(Module& model, std::vector<Plan>& plans, const Criterion& criterion,
                    const CriterionContext& ctx, const PruneSettings& settings, double sparsity) {
  const GranularitySpec& g = settings.granularity;
  std::vector<Entry> entries;
  entries.reserve(2 * plans.size());
  if (g.removes_output_units()) {
    const std::vector<DependencyGroup> groups = dependency_groups(model);
    add_group_entries(plans, groups, criterion, ctx, settings, entries);
    select_all(plans, entries, sparsity);
    apply_selection(entries, g);
    return;
  }
  for (Plan& p : plans) {
    if (g.structured())
      entries.push_back(unit_entry(p, criterion, ctx, settings));
    else
      add_element_entries(p, criterion, ctx, settings, entries);
  }
  select_all(plans, entries, sparsity);
  apply_selection(entries, g);
}

PruneStats count_pruned(Module& m, const std::vector<Plan>& plans, const PruneSettings& settings) {
  const GranularitySpec& g = settings.granularity;
  PruneStats stats;
  if (g.kind == Granularity::head) count_group_channels(m, g, stats.units, stats.units_pruned);
  for (const Plan& p : plans) {
    stats.weights += p.t->weight->value.size();
    stats.weights_pruned += count_zero_mask(*p.t->weight);
    if (g.kind == Granularity::head) continue;
    if (g.removes_output_units()) {  // the one definition of a removed unit (dead_inputs.h)
      const std::vector<bool> removed = dead_output_units(*p.t);
      stats.units += removed.size();
      for (bool r : removed) stats.units_pruned += r;
    } else if (g.structured()) {
      const std::vector<bool> alive = units_alive(p.layout, *p.t->weight);
      stats.units += alive.size();
      for (bool a : alive) stats.units_pruned += !a;
    } else {
      stats.units += p.t->weight->value.size();
      stats.units_pruned += count_zero_mask(*p.t->weight);
      if (settings.include_bias && p.t->bias && g.kind == Granularity::unstructured) {
        stats.units += p.t->bias->value.size();
        stats.units_pruned += count_zero_mask(*p.t->bias);
      }
    }
  }
  return stats;
}

// Why plan_targets left no layer to prune.
std::string nothing_to_prune(const std::vector<PruneTarget>& targets, const PruneSettings& settings,
                             const Criterion& criterion) {
  if (targets.empty()) return "the model has no prunable layer (Dense or Conv2d)";
  std::size_t scored = 0;
  for (const PruneTarget& t : targets) scored += criterion.can_score(t);
  if (scored == 0) {
    const std::string needs = criterion.scoring_requirement();
    return "criterion '" + settings.criterion + "' can score no layer of this model" +
           (needs.empty() ? "" : " (it needs " + needs + ")");
  }
  return "no layer is left to prune: every prunable layer is excluded (exclude_first, "
         "exclude_last, overrides, or the granularity's own rule for the first and last layer)";
}

}  // namespace

double override_target(double s, double final, const LayerOverride& o) {
  if (o.sparsity >= 0.0) {
    if (final <= 0.0) return o.sparsity;
    const double a = std::log1p(-o.sparsity) / std::log1p(-final);
    return 1.0 - std::pow(1.0 - s, a);
  }
  return 1.0 - std::pow(1.0 - s, o.rate_scale);
}

PruneStats prune(Module& model, const PruneSettings& settings, double sparsity,
                 CriterionContext& ctx) {
  const GranularitySpec& g = settings.granularity;
  std::unique_ptr<Criterion> criterion = supporting_criterion(settings);
  if (!ctx.model) ctx.model = &model;

  std::vector<PruneTarget> targets = collect_targets(model);
  check_overrides_match(settings, targets);
  std::vector<Plan> plans = plan_targets(targets, settings, *criterion, sparsity);
  prepare_criterion(*criterion, targets, plans, settings, ctx);
  if (g.kind == Granularity::n_m) {
    for (Plan& p : plans) {
      Array s = criterion->score_weights(p.t->weight_name, *p.t->weight, ctx);
      p.t->weight->set_mask(n_m_mask(*p.t->weight, s, g.n, g.m));
    }
  } else {
    prune_in_pools(model, plans, *criterion, ctx, settings, sparsity);
  }
  mark_dead_inputs(targets);
  return count_pruned(model, plans, settings);
}

void check_prunable(Module& model, const PruneSettings& settings) {
  const GranularitySpec& g = settings.granularity;
  const std::unique_ptr<Criterion> criterion = supporting_criterion(settings);
  std::vector<PruneTarget> targets = collect_targets(model);
  check_overrides_match(settings, targets);
  const std::vector<Plan> plans = plan_targets(targets, settings, *criterion, settings.sparsity);
  if (plans.empty()) throw std::invalid_argument(nothing_to_prune(targets, settings, *criterion));
  if (g.kind == Granularity::head) require_head_groups(model);
  if (g.kind != Granularity::block) return;
  for (const Plan& p : plans) {
    // (out, in*kH*kW): the view the blocks tile.
    const std::size_t rows = p.t->weight->value.dim(0);
    const std::size_t cols = p.t->weight->value.size() / rows;
    if (static_cast<std::size_t>(g.block_rows) > rows ||
        static_cast<std::size_t>(g.block_cols) > cols)
      throw std::invalid_argument("a block of " + std::to_string(g.block_rows) + " x " +
                                  std::to_string(g.block_cols) + " is larger than layer '" +
                                  p.t->name + "' (" + std::to_string(rows) + " x " +
                                  std::to_string(cols) + " as (out, in*kH*kW))");
  }
}

}  // namespace poda
