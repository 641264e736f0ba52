#include "budget/solver.h"

#include <algorithm>
#include <limits>

namespace poda {

namespace {

constexpr double kNone = std::numeric_limits<double>::infinity();

double own_part(const SolverOption& o) {
  return std::isnan(o.own) ? o.saving : o.own;
}

double max_saving(const std::vector<SolverLayer>& layers) {
  double total = 0.0;
  for (const SolverLayer& l : layers) {
    double best = 0.0;
    for (const SolverOption& o : l.options) best = std::max(best, o.saving);
    total += best;
  }
  return total;
}

// Saving in grid steps, rounded down, at most `cap` (more than enough counts as enough).
std::size_t steps(double saving, double step, std::size_t cap) {
  if (saving <= 0.0) return 0;
  return std::min(cap, static_cast<std::size_t>(std::floor(saving / step + 1e-9)));
}

// Per layer, per state (its option + 1; 0 = dense), per saving step.
using Grid = std::vector<std::vector<std::vector<double>>>;
struct From {
  int state = 0;
  std::size_t step = 0;
};
using Trail = std::vector<std::vector<std::vector<From>>>;

const SolverOption* option_at(const std::vector<SolverLayer>& layers, std::size_t l, int state) {
  return state > 0 ? &layers[l].options[state - 1] : nullptr;
}

// One layer's options after every state of the layer before.
void advance(const std::vector<SolverLayer>& layers, std::size_t l, double step, std::size_t bins,
             Grid& best, Trail& from) {
  const std::size_t states = layers[l].options.size() + 1;
  best[l + 1].assign(states, std::vector<double>(bins + 1, kNone));
  from[l + 1].assign(states, std::vector<From>(bins + 1));
  for (std::size_t p = 0; p < best[l].size(); ++p) {
    const SolverOption* previous = l > 0 ? option_at(layers, l - 1, int(p)) : nullptr;
    for (std::size_t j = 0; j <= bins; ++j) {
      if (best[l][p][j] == kNone) continue;
      for (std::size_t s = 0; s < states; ++s) {
        const SolverOption* o = option_at(layers, l, int(s));
        // A slower option is never worth taking: its negative saving frees nothing elsewhere.
        if (o && o->saving <= 0.0) continue;
        const double saving = o ? saving_after(previous, *o, layers[l].follows_previous) : 0.0;
        const std::size_t to = std::min(bins, j + steps(saving, step, bins));
        const double loss = best[l][p][j] + (o ? o->loss : 0.0);
        if (loss < best[l + 1][s][to]) {
          best[l + 1][s][to] = loss;
          from[l + 1][s][to] = {int(p), j};
        }
      }
    }
  }
}

}  // namespace

double saving_after(const SolverOption* previous, const SolverOption& o, bool follows_previous) {
  if (!previous || !follows_previous) return o.saving;
  const double own = std::max(0.0, own_part(o));
  const double already = std::max(0.0, previous->saving - own_part(*previous));
  if (o.cumulative) return o.saving - std::min(own, already);
  return o.saving - own * (1.0 - previous->keep);
}

SolverResult solve_budget(const std::vector<SolverLayer>& layers, double required,
                          std::size_t bins) {
  SolverResult r;
  r.max_saving = max_saving(layers);
  r.choice.assign(layers.size(), -1);
  if (required <= 0.0 || layers.empty()) {  // the dense model already meets it
    r.feasible = required <= 0.0;
    return r;
  }
  const double step = required / static_cast<double>(bins);
  Grid best(layers.size() + 1);
  Trail from(layers.size() + 1);
  best[0].assign(1, std::vector<double>(bins + 1, kNone));
  best[0][0][0] = 0.0;
  for (std::size_t l = 0; l < layers.size(); ++l) advance(layers, l, step, bins, best, from);
  int state = -1;
  for (std::size_t s = 0; s < best.back().size(); ++s)
    if (best.back()[s][bins] != kNone &&
        (state < 0 || best.back()[s][bins] < best.back()[state][bins]))
      state = int(s);
  if (state < 0) return r;
  r.feasible = true;
  std::size_t j = bins;
  for (std::size_t l = layers.size(); l > 0; --l) {
    r.choice[l - 1] = state - 1;
    const From f = from[l][state][j];
    state = f.state;
    j = f.step;
  }
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const SolverOption* o = option_at(layers, l, r.choice[l] + 1);
    if (!o) continue;
    const SolverOption* previous = l > 0 ? option_at(layers, l - 1, r.choice[l - 1] + 1) : nullptr;
    r.saving += saving_after(previous, *o, layers[l].follows_previous);
    r.loss += o->loss;
  }
  return r;
}

}  // namespace poda
