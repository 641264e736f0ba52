#include "budget/layer_forms.h"

#include <algorithm>
#include <stdexcept>

#include "prune/pruner.h"
#include "prune/target.h"

namespace poda {

namespace {

bool excluded(const PruneSettings& s, const PruneTarget& t, bool first, bool last) {
  if ((s.exclude_first && first) || (s.exclude_last && last)) return true;
  for (const LayerOverride& o : s.overrides)
    if (o.exclude && (o.name == t.name || o.name == t.weight_name)) return true;
  return false;
}

// The layer's own form for `g`: neuron for a Dense weight, filter for a convolution's.
Granularity own_form(Granularity g, const PruneTarget& t) {
  if (g != Granularity::neuron && g != Granularity::filter) return g;
  return t.weight->value.shape().size() > 2 ? Granularity::filter : Granularity::neuron;
}

bool form_applies(Granularity g, const PruneTarget& t, bool first, bool last) {
  if (g == Granularity::neuron || g == Granularity::filter) return !last;
  if (g == Granularity::channel) return !(first && t.weight->value.shape().size() > 2);
  return true;
}

// The settings that prune layer `name` alone in form `form` to `sparsity`.
PruneSettings single_layer(const PruneSettings& s, const std::vector<PruneTarget>& targets,
                           const LayerForm& f) {
  PruneSettings one = s;
  one.budget.reset();
  one.granularity.kind = f.form;
  one.scope = Scope::layer;
  one.sparsity = f.sparsity;
  one.exclude_first = one.exclude_last = false;
  one.overrides.clear();
  for (const PruneTarget& t : targets)
    if (t.name != f.layer) one.overrides.push_back({t.name, true, -1.0, 1.0});
  return one;
}

}  // namespace

std::vector<BudgetLayer> budget_layers(Module& model, const PruneSettings& settings) {
  std::vector<PruneTarget> targets = collect_targets(model);
  const std::unique_ptr<Criterion> criterion = make_criterion(settings.criterion);
  std::vector<BudgetLayer> layers;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const PruneTarget& t = targets[i];
    const bool first = i == 0, last = i + 1 == targets.size();
    if (excluded(settings, t, first, last) || !criterion->can_score(t)) continue;
    BudgetLayer layer{t.name, {}};
    for (Granularity g : settings.budget ? settings.budget->forms : std::vector<Granularity>{}) {
      const Granularity own = own_form(g, t);
      if (!form_applies(own, t, first, last) || !criterion->supports(own)) continue;
      if (std::find(layer.forms.begin(), layer.forms.end(), own) == layer.forms.end())
        layer.forms.push_back(own);
    }
    if (!layer.forms.empty()) layers.push_back(std::move(layer));
  }
  return layers;
}

std::vector<double> form_sparsities(Granularity form, const PruneSettings& settings) {
  if (form == Granularity::n_m)
    return {1.0 - double(settings.granularity.n) / settings.granularity.m};
  // Finer towards the top, where budgets of 4x and more are met (a 30x bytes budget on
  // LeNet-300-100 wants a layer between 0.95 and 0.98 and another near 0.99).
  std::vector<double> grid{0.25, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95};
  if (form == Granularity::unstructured) grid.insert(grid.end(), {0.97, 0.98, 0.99});
  std::vector<double> allowed;
  for (double s : grid)
    if (s <= settings.max_layer_sparsity + 1e-12) allowed.push_back(s);
  return allowed;
}

void apply_layer_forms(Module& model, const PruneSettings& settings,
                       const std::vector<LayerForm>& forms, CriterionContext& ctx) {
  const std::vector<PruneTarget> targets = collect_targets(model);
  for (const LayerForm& f : forms) {
    if (f.sparsity <= 0.0) continue;
    const PruneSettings one = single_layer(settings, targets, f);
    prune(model, one, f.sparsity, ctx);
  }
}

TrialState TrialState::capture(Module& model) {
  TrialState state;
  for (const auto& [name, p] : model.named_parameters()) {
    Saved s;
    s.value = p->value.data();
    s.masked = p->has_mask();
    if (s.masked) s.mask = p->mask.data();
    state.params_.push_back(std::move(s));
  }
  for (const auto& [name, b] : model.named_buffers()) state.buffers_.push_back(*b);
  return state;
}

void TrialState::restore(Module& model) const {
  const auto params = model.named_parameters();
  const auto buffers = model.named_buffers();
  if (params.size() != params_.size() || buffers.size() != buffers_.size())
    throw std::logic_error("TrialState::restore: not the model it was captured from");
  for (std::size_t i = 0; i < params.size(); ++i) {
    Parameter& p = *params[i].second;
    p.value.data() = params_[i].value;
    if (params_[i].masked)
      p.set_mask(params_[i].mask);
    else
      p.remove_mask();
  }
  for (std::size_t i = 0; i < buffers.size(); ++i) *buffers[i].second = buffers_[i];
}

}  // namespace poda
