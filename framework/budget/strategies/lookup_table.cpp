// The lookup-table search (NetAdapt's tables, solved at once as AMC and HALP do): every
// candidate's cost measured alone (budget/cost_table.h) with its validation loss, then the
// exact multiple-choice knapsack (budget/solver.h) for the least summed loss that meets the
// budget, with the overlap of adjacent layers' savings corrected along the chain. Costs
// measured alone still do not add up exactly (latency is not MACs), so the answer is measured
// as a whole and, while it misses, solved again for more saving in proportion to the miss. A
// budget below what the smallest model the forms allow measures is refused before any of it.
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "budget/cost_table.h"
#include "budget/quantity.h"
#include "budget/solver.h"
#include "budget/strategy.h"
#include "prune/target.h"

namespace poda {

namespace {

constexpr int kTries = 6;

void say(BudgetProblem& p, const std::string& line) {
  if (p.message) p.message(line);
}

// A prunable layer's dense MACs per sample and the layer reading its output units.
struct LayerLink {
  double macs = 0.0;
  std::string consumer;
};

std::map<std::string, LayerLink> layer_links(Sequential& model, const Shape& input) {
  std::vector<PruneTarget> targets = collect_targets(model);
  const double total = static_cast<double>(model.effective_macs(input));
  std::map<std::string, LayerLink> links;
  for (PruneTarget& t : targets) {
    const TrialState state = TrialState::capture(model);
    t.weight->set_mask(xt::zeros<float>(t.weight->value.shape()));
    links[t.name].macs = total - static_cast<double>(model.effective_macs(input));
    state.restore(model);
    if (t.consumer) links[t.name].consumer = t.consumer->name;
  }
  return links;
}

bool removes_units(Granularity g) {
  return g == Granularity::neuron || g == Granularity::filter;
}

// The solver's view of the table: per layer its options, whether it reads the previous
// layer's units, and for options that remove units the part of their saving on the layer
// itself (split from the part on the next layer in proportion to the two layers' MACs).
std::vector<SolverLayer> solver_layers(BudgetProblem& problem,
                                       const std::vector<BudgetLayer>& layers,
                                       const std::vector<CostEntry>& entries,
                                       std::vector<std::vector<const CostEntry*>>& index) {
  const std::map<std::string, LayerLink> links = layer_links(problem.model, problem.input_shape);
  std::vector<SolverLayer> out(layers.size());
  index.assign(layers.size(), {});
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerLink& link = links.at(layers[l].name);
    out[l].follows_previous = l > 0 && links.at(layers[l - 1].name).consumer == layers[l].name;
    const double next = link.consumer.empty() ? 0.0 : links.at(link.consumer).macs;
    const double own_share = link.macs + next > 0.0 ? link.macs / (link.macs + next) : 1.0;
    for (const CostEntry& e : entries) {
      if (e.layer != layers[l].name) continue;
      SolverOption o{-e.delta, e.loss};
      if (removes_units(e.form)) {
        o.own = o.saving * own_share;
        o.keep = 1.0 - e.sparsity;
        o.cumulative = false;
      }
      out[l].options.push_back(o);
      index[l].push_back(&e);
    }
  }
  return out;
}

// Each layer at its largest saving: the smallest (fastest) model the forms allow.
std::vector<LayerForm> extreme_forms(const std::vector<BudgetLayer>& layers,
                                     const std::vector<CostEntry>& entries) {
  std::vector<LayerForm> forms;
  for (const BudgetLayer& l : layers) {
    LayerForm f{l.name, l.forms.front(), 0.0};
    double best = 0.0;
    for (const CostEntry& e : entries)
      if (e.layer == l.name && -e.delta > best) {
        best = -e.delta;
        f = {l.name, e.form, e.sparsity};
      }
    forms.push_back(f);
  }
  return forms;
}

std::vector<LayerForm> chosen_forms(const std::vector<BudgetLayer>& layers,
                                    const std::vector<std::vector<const CostEntry*>>& index,
                                    const SolverResult& solved) {
  std::vector<LayerForm> forms;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const int o = solved.choice[l];
    if (o < 0)
      forms.push_back({layers[l].name, layers[l].forms.front(), 0.0});
    else
      forms.push_back({layers[l].name, index[l][o]->form, index[l][o]->sparsity});
  }
  return forms;
}

// A choice measured as a whole: what the budget must not exceed and what it gives, in the
// table's unit, beside the reference the savings count from (latency: the same run's dense
// plan, so the machine's speed at the moment cancels).
struct Check {
  double reference = 0.0, limit = 0.0, measured = 0.0, value = 0.0;
  bool met() const { return measured <= limit; }
};

Check measure_choice(BudgetProblem& problem, const std::vector<LayerForm>& forms, double base) {
  const BudgetSpec& b = *problem.settings.budget;
  const TrialState state = TrialState::capture(problem.model);
  CriterionContext ctx = criterion_context(problem);
  apply_layer_forms(problem.model, problem.settings, forms, ctx);
  const BudgetMeasurement m =
      measure_budget(problem.model, problem.input_shape, b, budget_check_protocol());
  state.restore(problem.model);
  Check c;
  c.value = m.value;
  switch (b.kind) {
    case BudgetKind::speedup: c = {m.dense_us, m.dense_us / b.value, m.deployed_us, m.value}; break;
    case BudgetKind::latency_us: c = {m.dense_us, b.value, m.deployed_us, m.value}; break;
    case BudgetKind::macs:
    case BudgetKind::bytes: c = {base, b.value, m.value, m.value}; break;
  }
  return c;
}

class LookupTable : public BudgetStrategy {
 public:
  BudgetSearch search(BudgetProblem& problem) const override {
    const BudgetSpec& budget = *problem.settings.budget;
    BudgetSearch result;
    const std::vector<BudgetLayer> layers = budget_layers(problem.model, problem.settings);
    const auto start = std::chrono::steady_clock::now();
    CostTable table = measure_costs(problem, candidates(layers, problem.settings));
    result.table_reused = table.reused;
    say(problem, fmt::format("budget table: {} candidates {} in {:.1f} s", table.entries.size(),
                             table.reused ? "reused" : "measured",
                             std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                           start).count()));
    const std::vector<LayerForm> smallest = extreme_forms(layers, table.entries);
    const Check floor = measure_choice(problem, smallest, table.base);
    if (!floor.met()) {
      result.reason = fmt::format(
          "cannot meet {} {}: the smallest model the forms allow (each layer at its largest "
          "saving) measures {:.6g}",
          budget.key(), format_number(budget.value), floor.value);
      return result;
    }
    measure_losses(problem, table.entries);
    solve(problem, layers, table, result);
    if (!result.feasible) {  // the corrections ran out: the smallest model meets it
      result.layers = smallest;
      result.predicted = floor.value;
      result.feasible = true;
    }
    return result;
  }

 private:
  // Solves, measures the answer as a whole and, while it misses, asks the solver for more
  // saving in proportion to the miss (the chain correction splits savings by MACs, and time
  // is not exactly MACs, so the table can promise more than the whole gives). Once an answer
  // meets the budget, the tries left halve the gap between the largest scale that missed
  // and the smallest that met, keeping the met answer of least predicted loss.
  static void solve(BudgetProblem& problem, const std::vector<BudgetLayer>& layers,
                    const CostTable& table, BudgetSearch& result) {
    const BudgetSpec& budget = *problem.settings.budget;
    std::vector<std::vector<const CostEntry*>> index;
    const std::vector<SolverLayer> options = solver_layers(problem, layers, table.entries, index);
    const double target =
        budget.kind == BudgetKind::speedup ? table.base / budget.value : budget.value;
    double scale = 1.0, missed = 1.0, met = 0.0, best_loss = 0.0;  // below 1: never asked
    for (int attempt = 1; attempt <= kTries; ++attempt) {
      const SolverResult solved = solve_budget(options, (table.base - target) * scale);
      if (!solved.feasible) return;
      const std::vector<LayerForm> forms = chosen_forms(layers, index, solved);
      const Check c = measure_choice(problem, forms, table.base);
      say(problem, fmt::format("budget search, try {}: table {:.6g}, measured {:.6g} against "
                               "{:.6g}", attempt, table.base - solved.saving, c.measured,
                               c.limit));
      if (c.met()) {
        if (!result.feasible || solved.loss < best_loss) {
          result.layers = forms;
          result.predicted = c.value;
          result.feasible = true;
          best_loss = solved.loss;
        }
        met = scale;
      } else {
        missed = scale;
      }
      if (met > 0.0 && met - missed < 0.02 * met) return;
      if (met > 0.0) {
        scale = 0.5 * (missed + met);
      } else {
        const double needed = c.reference - c.limit, got = c.reference - c.measured;
        scale *= got > 0.0 ? std::min(4.0, needed / got) : 2.0;
      }
    }
  }
};

const BudgetStrategyRegistrar lookup_table_registrar(
    "lookup_table",
    {[] { return std::make_unique<LookupTable>(); },
     "per-layer cost table measured on this CPU (kept per CPU, kernel target and model shape) "
     "and validation-loss sensitivity, solved as an exact multiple-choice knapsack"});

}  // namespace

}  // namespace poda
