// The baselines a budget search is compared with, on the same footing: one sparsity for the
// whole model, the smallest that meets the budget as measured (bisection; a timed budget
// aimed 10% beyond, as the searches aim, budget/quantity.h), pruned by magnitude in the
// configured way; a bytes budget counted in the run's quantized format when it has one. Registered as strategies, so a sweep over
// prune.budget.strategy runs them beside the search at every budget:
//   uniform  every layer at that sparsity, in the first of the budget's forms it can take
//            (forms: [unstructured] or [filter]: uniform unstructured or structured);
//   global   one magnitude ranking of every layer's weights (unstructured).
#include <algorithm>

#include <fmt/format.h>

#include "budget/cost_table.h"
#include "budget/quantity.h"
#include "budget/strategy.h"
#include "prune/pruner.h"
#include "prune/sparsity_report.h"

namespace poda {

namespace {

constexpr int kBisections = 7;

class OneSparsity : public BudgetStrategy {
 public:
  explicit OneSparsity(bool global) : global_(global) {}

  BudgetSearch search(BudgetProblem& problem) const override {
    const BudgetSpec& b = *problem.settings.budget;
    BudgetSearch result;
    const std::vector<BudgetLayer> layers = budget_layers(problem.model, problem.settings);
    const double most = global_ || layers.front().forms.front() == Granularity::unstructured
                            ? 0.98 : 0.95;
    double met = most, missed = 0.0;
    std::vector<LayerForm> at_met = forms_at(problem, layers, most);
    double value = measure(problem, at_met);
    if (!b.met_by(value)) {
      result.reason = fmt::format("cannot meet {} {}: every layer at {} measures {:.6g}", b.key(),
                                  format_number(b.value), format_number(most), value);
      return result;
    }
    BudgetSpec aimed = b;  // a timed budget is aimed beyond, as the searches do
    aimed.value = aimed_budget(problem, default_value_format(problem));
    for (int i = 0; i < kBisections; ++i) {
      const double s = 0.5 * (missed + met);
      const std::vector<LayerForm> forms = forms_at(problem, layers, s);
      const double v = measure(problem, forms);
      if (problem.message)
        problem.message(fmt::format("{} at sparsity {:.4f}: {:.6g}", global_ ? "global" : "uniform",
                                    s, v));
      if (aimed.met_by(v)) {
        met = s, at_met = forms, value = v;
      } else {
        missed = s;
      }
    }
    result.layers = at_met;
    result.value_format = default_value_format(problem);
    result.predicted = value;
    result.feasible = true;
    return result;
  }

 private:
  // The per-layer forms of sparsity s: uniform gives every layer s in its first form; global
  // ranks every layer's weights at once and reads back what each layer kept.
  std::vector<LayerForm> forms_at(BudgetProblem& problem, const std::vector<BudgetLayer>& layers,
                                  double s) const {
    std::vector<LayerForm> forms;
    if (!global_) {
      for (const BudgetLayer& l : layers) forms.push_back({l.name, l.forms.front(), s});
      return forms;
    }
    const TrialState state = TrialState::capture(problem.model);
    PruneSettings settings = problem.settings;
    settings.budget.reset();
    settings.granularity.kind = Granularity::unstructured;
    settings.scope = Scope::global;
    settings.sparsity = s;
    CriterionContext ctx = criterion_context(problem);
    prune(problem.model, settings, s, ctx);
    const SparsityReport report = sparsity_report(problem.model);
    state.restore(problem.model);
    for (const BudgetLayer& l : layers)
      for (const LayerSparsity& r : report.layers)
        if (r.name == l.name) forms.push_back({l.name, Granularity::unstructured, r.sparsity()});
    return forms;
  }

  static double measure(BudgetProblem& problem, const std::vector<LayerForm>& forms) {
    const TrialState state = TrialState::capture(problem.model);
    CriterionContext ctx = criterion_context(problem);
    apply_layer_forms(problem.model, problem.settings, forms, ctx);
    const double v =
        measure_problem(problem, default_value_format(problem), budget_check_protocol()).value;
    state.restore(problem.model);
    return v;
  }

  bool global_;
};

const BudgetStrategyRegistrar uniform(
    "uniform", {[] { return std::make_unique<OneSparsity>(false); },
                "baseline: every layer at the smallest one sparsity that meets the budget, in "
                "the first of the budget's forms it can take"});
const BudgetStrategyRegistrar global(
    "global", {[] { return std::make_unique<OneSparsity>(true); },
               "baseline: global magnitude (unstructured) at the smallest sparsity that meets "
               "the budget"});

}  // namespace

}  // namespace poda
