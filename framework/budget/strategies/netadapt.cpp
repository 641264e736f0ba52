// NetAdapt (Yang et al. 2018) on poda's measured quantities: the model shrinks in steps, each
// asking a further share of the way from the dense model's measurement to the budget. At each
// step every layer proposes, in each form it may take, the least extra sparsity of its grid
// (layer_forms.h) that makes the whole model meet the step's target as measured (a bisection
// over the grid, every point measured in a fresh plan); each proposal gets a short fine-tune
// (BudgetProblem::short_finetune) and is scored by validation loss after it; the best proposal
// is kept, fine-tuned weights and all, and the next step starts from it. A layer pruned in one
// form may take another at a later step, on top of what it has (its masks only grow): neurons
// first and then unstructured weights of the rows left, which is how a bytes budget below what
// whole units can reach is met (netadapt_current_sparsity). Slower than lookup_table (every proposal is measured and
// trained), but the losses it compares are those of fine-tuned models, and it measures whole
// models instead of adding per-layer costs. It leaves the model pruned (model_pruned).
// A timed budget is aimed beyond by kNetAdaptLatencyMargin (netadapt.h): its short timings
// read faster than the run's final protocol; it accepts the budget itself when no layer can
// shrink further. A bytes budget with a quantized format is counted in it (cost_table.h).
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "budget/cost_table.h"
#include "budget/quantity.h"
#include "budget/strategies/netadapt.h"
#include "budget/strategy.h"
#include "prune/bn_recalibration.h"
#include "prune/target.h"

namespace poda {

namespace {

constexpr int kSteps = 4;            // the schedule reaches the budget at this step
constexpr int kExtraSteps = 4;       // more steps at the budget itself, when noise misses it
constexpr int kFinetuneSteps = 30;   // each proposal's short fine-tune, unless configured

struct Proposal {
  std::size_t layer = 0;
  Granularity form = Granularity::unstructured;
  double sparsity = 0.0, value = 0.0;
};

bool reaches(const BudgetSpec& b, double value, double target) {
  return b.kind == BudgetKind::speedup ? value >= target : value <= target;
}

}  // namespace

std::vector<double> netadapt_step_targets(const BudgetSpec& b, double start, int steps,
                                          int extra) {
  const double goal = tightened_budget(b, kNetAdaptLatencyMargin);
  std::vector<double> targets;
  for (int step = 1; step <= steps + extra; ++step)
    targets.push_back(start + (goal - start) * std::min(1.0, double(step) / steps));
  return targets;
}

double netadapt_current_sparsity(Module& model, const std::string& layer, Granularity form) {
  for (const PruneTarget& t : collect_targets(model)) {
    if (t.name != layer || !t.weight->has_mask()) continue;
    const Array& mask = t.weight->mask.data();
    if (form == Granularity::neuron || form == Granularity::filter) {
      const std::size_t units = mask.shape()[0], per = mask.size() / std::max<std::size_t>(units, 1);
      std::size_t dead = 0;
      for (std::size_t u = 0; u < units; ++u) {
        bool all_zero = true;
        for (std::size_t k = 0; k < per && all_zero; ++k) all_zero = mask.data()[u * per + k] == 0.0f;
        dead += all_zero ? 1 : 0;
      }
      return units ? double(dead) / double(units) : 0.0;
    }
    if (form == Granularity::channel) return 0.0;  // not read back: the grid from its start
    std::size_t zeros = 0;
    for (std::size_t k = 0; k < mask.size(); ++k) zeros += mask.data()[k] == 0.0f ? 1 : 0;
    return mask.size() ? double(zeros) / double(mask.size()) : 0.0;
  }
  return 0.0;
}

namespace {

class NetAdapt : public BudgetStrategy {
 public:
  BudgetSearch search(BudgetProblem& problem) const override {
    const BudgetSpec& b = *problem.settings.budget;
    const std::vector<BudgetLayer> layers = budget_layers(problem.model, problem.settings);
    std::vector<LayerForm> chosen;
    for (const BudgetLayer& l : layers) chosen.push_back({l.name, l.forms.front(), 0.0});
    const TrialState dense = TrialState::capture(problem.model);
    const double start = measure(problem);
    double value = start;
    BudgetSearch result;
    result.value_format = default_value_format(problem);
    BudgetSpec aimed = b;  // quantized bytes: aimed below (cost_table.h); timed: below
    if (b.kind == BudgetKind::bytes) aimed.value = aimed_budget(problem, result.value_format);
    const std::vector<double> targets = netadapt_step_targets(aimed, start, kSteps, kExtraSteps);
    for (int step = 1; step <= kSteps + kExtraSteps && !reaches(b, value, targets.back());
         ++step) {
      const double target = targets[step - 1];
      const std::vector<Proposal> proposals = propose(problem, layers, chosen, target);
      if (proposals.empty() && b.met_by(value)) break;  // short of the margin only
      if (proposals.empty()) {
        dense.restore(problem.model);
        result.reason = fmt::format("cannot meet {} {}: netadapt stopped at {:.6g} with every "
                                    "layer at its largest grid sparsity", b.key(),
                                    format_number(b.value), value);
        return result;
      }
      const Proposal best = finetune_best(problem, layers, proposals);
      chosen[best.layer] = {layers[best.layer].name, best.form, best.sparsity};
      value = best.value;
      say(problem, fmt::format("netadapt step {}: {} {} at {:.3g}, measures {:.6g} (target "
                               "{:.6g})", step, layers[best.layer].name,
                               granularity_name(best.form), best.sparsity, value, target));
    }
    if (!b.met_by(value)) {
      dense.restore(problem.model);
      result.reason = fmt::format("cannot meet {} {}: netadapt measures {:.6g} after {} steps",
                                  b.key(), format_number(b.value), value, kSteps + kExtraSteps);
      return result;
    }
    result.layers = chosen;
    result.predicted = value;
    result.feasible = true;
    result.model_pruned = true;
    return result;
  }

 private:
  static void say(BudgetProblem& p, const std::string& line) {
    if (p.message) p.message(line);
  }

  static double measure(BudgetProblem& p) {
    return measure_problem(p, default_value_format(p), budget_check_protocol()).value;
  }

  // The whole model's value with layer `l` pruned further to (form, s); the model put back.
  static double measure_with(BudgetProblem& p, const std::string& layer, Granularity form,
                             double s) {
    const TrialState state = TrialState::capture(p.model);
    CriterionContext ctx = criterion_context(p);
    apply_layer_forms(p.model, p.settings, {{layer, form, s}}, ctx);
    const double v = measure(p);
    state.restore(p.model);
    return v;
  }

  // Per layer and form: the least grid sparsity above the layer's own that reaches `target`
  // (bisection, the quantity taken as monotone in sparsity); when none does, the layer's
  // largest step, so a model still short of the step's target keeps shrinking.
  static std::vector<Proposal> propose(BudgetProblem& p, const std::vector<BudgetLayer>& layers,
                                       const std::vector<LayerForm>& chosen, double target) {
    const BudgetSpec& b = *p.settings.budget;
    std::vector<Proposal> reaching, short_of;
    for (std::size_t i = 0; i < layers.size(); ++i)
      for (Granularity form : layers[i].forms) {
        const double now = form == chosen[i].form
                               ? chosen[i].sparsity
                               : netadapt_current_sparsity(p.model, layers[i].name, form);
        std::vector<double> grid;
        for (double s : form_sparsities(form, p.settings))
          if (s > now + 1e-9) grid.push_back(s);
        if (grid.empty()) continue;
        Proposal last{i, form, grid.back(), measure_with(p, layers[i].name, form, grid.back())};
        if (!reaches(b, last.value, target)) {
          short_of.push_back(last);
          continue;
        }
        std::size_t lo = 0, hi = grid.size() - 1;  // grid[hi] reaches the target
        while (lo < hi) {
          const std::size_t mid = (lo + hi) / 2;
          const double v = measure_with(p, layers[i].name, form, grid[mid]);
          if (reaches(b, v, target)) hi = mid, last = {i, form, grid[mid], v};
          else lo = mid + 1;
        }
        reaching.push_back(last);
      }
    if (!reaching.empty()) return reaching;
    return short_of;
  }

  // Each proposal applied, briefly fine-tuned and scored by validation loss; the best one's
  // trained state is left in the model.
  static Proposal finetune_best(BudgetProblem& p, const std::vector<BudgetLayer>& layers,
                                const std::vector<Proposal>& proposals) {
    const TrialState before = TrialState::capture(p.model);
    double best_loss = std::numeric_limits<double>::infinity();
    Proposal best = proposals.front();
    TrialState best_state = before;
    for (const Proposal& q : proposals) {
      CriterionContext ctx = criterion_context(p);
      apply_layer_forms(p.model, p.settings, {{layers[q.layer].name, q.form, q.sparsity}}, ctx);
      const int steps = p.settings.budget->search_finetune_steps;
      if (p.short_finetune) p.short_finetune(p.model, steps < 0 ? kFinetuneSteps : steps);
      if (p.recalibration_batches > 0)
        recalibrate_statistics(p.model, p.recalibration_batches, p.run_forward);
      const double loss = p.validation_loss(p.model);
      if (loss < best_loss) best_loss = loss, best = q, best_state = TrialState::capture(p.model);
      before.restore(p.model);
    }
    best_state.restore(p.model);
    return best;
  }
};

const BudgetStrategyRegistrar netadapt(
    "netadapt", {[] { return std::make_unique<NetAdapt>(); },
                 "NetAdapt: shrink one layer per step, the proposal of least validation loss "
                 "after a short fine-tune, every step measured; slower, keeps its weights"});

}  // namespace

}  // namespace poda
