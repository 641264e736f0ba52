// The lookup-table search (NetAdapt's tables, solved at once as AMC and HALP do): every
// candidate's cost measured alone (budget/cost_table.h) with its validation loss, then the
// exact multiple-choice knapsack (budget/solver.h) for the least summed loss that meets the
// budget, with the overlap of adjacent layers' savings corrected along the chain. Costs
// measured alone still do not add up exactly (latency is not MACs), so the answer is measured
// as a whole and, while it misses, solved again for more saving in proportion to the miss. A
// budget below what the smallest model the forms allow measures is refused before any of it.
// A timed budget is aimed 10% beyond (kSearchLatencyMargin, budget/quantity.h). A bytes budget
// that may store int8 or k-means codes (BudgetProblem::value_formats) is searched once per
// format, and the format of least predicted loss wins (search() says how).
#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "budget/cost_table.h"
#include "budget/quantity.h"
#include "budget/saving_search.h"
#include "budget/solver.h"
#include "budget/strategy.h"
#include "prune/target.h"

namespace poda {

namespace {

constexpr int kTries = 6;
// Each candidate's short fine-tune before its validation loss is read, unless configured
// (prune.budget.search_finetune_steps): without one, the loss right after pruning ranks
// 95-98% unstructured options too well (they recover less than neurons do) and the search
// over-pruned (0.709 test accuracy at a 4x LeNet-300-100 speed-up, results/README.md sec. 8).
constexpr int kLookupFinetuneSteps = 20;

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

// Each layer at the largest sparsity of one form (of its own forms, the first where `form`
// does not apply): alone, a layer's largest saving can be a form whose whole-model extreme is
// not the smallest (filters on fc1 save the most alone, unstructured everywhere reaches less).
std::vector<LayerForm> extreme_of_form(const std::vector<BudgetLayer>& layers,
                                       const std::vector<CostEntry>& entries, Granularity form) {
  std::vector<LayerForm> forms;
  for (const BudgetLayer& l : layers) {
    const bool has = std::find(l.forms.begin(), l.forms.end(), form) != l.forms.end();
    LayerForm f{l.name, has ? form : l.forms.front(), 0.0};
    for (const CostEntry& e : entries)
      if (e.layer == l.name && e.form == f.form) f.sparsity = std::max(f.sparsity, e.sparsity);
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

// `margin`: the budget aimed at (aimed_budget, cost_table.h); the floor is checked without.
Check measure_choice(BudgetProblem& problem, const std::vector<LayerForm>& forms, double base,
                     const std::string& format, bool margin = true) {
  const BudgetSpec& budget = *problem.settings.budget;
  BudgetSpec b = budget;
  if (margin) b.value = aimed_budget(problem, format);
  const TrialState state = TrialState::capture(problem.model);
  CriterionContext ctx = criterion_context(problem);
  apply_layer_forms(problem.model, problem.settings, forms, ctx);
  const BudgetMeasurement m = measure_problem(problem, format, budget_check_protocol());
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

// The value formats a search compares: a bytes budget's (fp32 and/or quantized), else fp32.
std::vector<std::string> formats_of(const BudgetProblem& p) {
  if (p.settings.budget->kind != BudgetKind::bytes || p.value_formats.empty()) return {""};
  return p.value_formats;
}

std::string format_name(const std::string& format) { return format.empty() ? "fp32" : format; }

class LookupTable : public BudgetStrategy {
 public:
  // With several value formats (a bytes budget that may quantize), each is searched on its
  // own table and the one of least predicted loss wins: the pruning's summed loss plus what
  // quantizing the dense model in that format adds (its validation loss, no fine-tune).
  BudgetSearch search(BudgetProblem& problem) const override {
    const std::vector<BudgetLayer> layers = budget_layers(problem.model, problem.settings);
    const std::vector<std::string> formats = formats_of(problem);
    std::vector<CostEntry> sensitivities;  // losses measured once, for the first format
    BudgetSearch best;
    double best_loss = 0.0;
    for (const std::string& format : formats) {
      double loss = 0.0;
      BudgetSearch found = search_format(problem, layers, format, sensitivities, loss);
      if (!format.empty() && found.feasible)
        loss += problem.quantize_trial(problem.model, format, true).loss -
                problem.validation_loss(problem.model);
      if (formats.size() > 1)
        say(problem, fmt::format("budget search in {}: {}", format_name(format),
                                 found.feasible ? fmt::format("predicted loss {:+.4f}", loss)
                                                : found.reason));
      if (found.feasible && (!best.feasible || loss < best_loss)) {
        best = std::move(found);
        best_loss = loss;
      } else if (!best.feasible) {  // the last format's reason: the smallest it reaches
        best.reason = found.reason;
        best.table_reused = found.table_reused;
      }
    }
    return best;
  }

 private:
  static BudgetSearch search_format(BudgetProblem& problem, const std::vector<BudgetLayer>& layers,
                                    const std::string& format,
                                    std::vector<CostEntry>& sensitivities, double& loss) {
    const BudgetSpec& budget = *problem.settings.budget;
    BudgetSearch result;
    result.value_format = format;
    const auto start = std::chrono::steady_clock::now();
    CostTable table = measure_costs(problem, candidates(layers, problem.settings), format);
    result.table_reused = table.reused;
    say(problem, fmt::format("budget table ({}): {} candidates {} in {:.1f} s",
                             format_name(format), table.entries.size(),
                             table.reused ? "reused" : "measured",
                             std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                           start).count()));
    std::vector<LayerForm> smallest = extreme_forms(layers, table.entries);
    Check floor = measure_choice(problem, smallest, table.base, format, false);
    for (Granularity g : problem.settings.budget->forms) {
      if (floor.met()) break;
      const std::vector<LayerForm> other = extreme_of_form(layers, table.entries, g);
      const Check c = measure_choice(problem, other, table.base, format, false);
      if (c.measured < floor.measured) smallest = other, floor = c;
    }
    if (!floor.met()) {
      result.reason = fmt::format(
          "cannot meet {} {}: the smallest model the forms allow (each layer at its largest "
          "saving{}) measures {:.6g}",
          budget.key(), format_number(budget.value), format.empty() ? "" : ", " + format,
          floor.value);
      return result;
    }
    if (sensitivities.empty()) {
      sensitivities = table.entries;
      measure_losses(problem, sensitivities, kLookupFinetuneSteps);
    }
    for (std::size_t i = 0; i < table.entries.size(); ++i)
      table.entries[i].loss = sensitivities[i].loss;
    loss = solve(problem, layers, table, format, result);
    if (!result.feasible) {  // the corrections ran out: the smallest model meets it
      result.layers = smallest;
      result.predicted = floor.value;
      result.feasible = true;
      loss = 0.0;
      for (const CostEntry& e : table.entries)
        for (const LayerForm& f : smallest)
          if (e.layer == f.layer && e.form == f.form && e.sparsity == f.sparsity) loss += e.loss;
    }
    return result;
  }

 private:
  // Solves, measures the answer as a whole and corrects the saving asked of the solver by a
  // bracketed search (budget/saving_search.h): the chain correction splits savings by MACs,
  // and time is not exactly MACs, so the table can promise more or less than the whole gives.
  // Each answer is measured once per saving asked (nearby savings often give the same
  // answer); the met answer of least saving is kept. Returns its predicted loss.
  static double solve(BudgetProblem& problem, const std::vector<BudgetLayer>& layers,
                      const CostTable& table, const std::string& format, BudgetSearch& result) {
    const BudgetSpec& budget = *problem.settings.budget;
    std::vector<std::vector<const CostEntry*>> index;
    const std::vector<SolverLayer> options = solver_layers(problem, layers, table.entries, index);
    const double aim = aimed_budget(problem, format);
    const double target = budget.kind == BudgetKind::speedup ? table.base / aim : aim;
    struct Tried {
      std::vector<LayerForm> forms;
      double loss = 0.0;
      Check check;
    };
    std::map<double, Tried> tried;  // by the saving asked
    std::map<std::vector<int>, Check> measured;  // by the solver's choice
    int attempt = 0;
    const auto probe = [&](double saving) {
      SavingReading r;
      const SolverResult solved = solve_budget(options, saving);
      if (!solved.feasible) return r;
      Tried t{chosen_forms(layers, index, solved), solved.loss, {}};
      const auto seen = measured.find(solved.choice);
      t.check = seen != measured.end() ? seen->second
                                       : measure_choice(problem, t.forms, table.base, format);
      if (seen == measured.end()) {
        measured[solved.choice] = t.check;
        say(problem, fmt::format("budget search, try {}: saving asked {:.6g}, table {:.6g}, "
                                 "measured {:.6g} against {:.6g}",
                                 ++attempt, saving, table.base - solved.saving, t.check.measured,
                                 t.check.limit));
      }
      r = {true, t.check.reference, t.check.limit, t.check.measured};
      tried[saving] = std::move(t);
      return r;
    };
    SavingSearchSettings settings;
    settings.first = table.base - target;
    settings.most = solve_budget(options, 0.0).max_saving;
    settings.tries = kTries;
    const SavingSearchResult found = search_saving(probe, settings);
    if (!found.found) return 0.0;
    const Tried& kept = tried.at(found.asked);
    result.layers = kept.forms;
    result.predicted = kept.check.value;
    result.feasible = true;
    return kept.loss;
  }
};

const BudgetStrategyRegistrar lookup_table_registrar(
    "lookup_table",
    {[] { return std::make_unique<LookupTable>(); },
     "per-layer cost table measured on this CPU (kept per CPU, kernel target and model shape) "
     "and validation-loss sensitivity, solved as an exact multiple-choice knapsack"});

}  // namespace

}  // namespace poda
