#include "budget/solver.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace poda {

namespace {

constexpr double kNone = std::numeric_limits<double>::infinity();

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

}  // namespace

SolverResult solve_budget(const std::vector<SolverLayer>& layers, double required,
                          std::size_t bins) {
  SolverResult r;
  r.max_saving = max_saving(layers);
  r.choice.assign(layers.size(), -1);
  if (required <= 0.0) {  // the dense model already meets it
    r.feasible = true;
    return r;
  }
  const double step = required / static_cast<double>(bins);
  // best[l][j]: least loss of layers < l with min(bins, saved steps) == j; from[l][j] the
  // option layer l-1 took to get there and the state it came from.
  std::vector<std::vector<double>> best(layers.size() + 1, std::vector<double>(bins + 1, kNone));
  std::vector<std::vector<std::pair<int, std::size_t>>> from(
      layers.size() + 1, std::vector<std::pair<int, std::size_t>>(bins + 1, {-1, 0}));
  best[0][0] = 0.0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::vector<SolverOption>& options = layers[l].options;
    for (std::size_t j = 0; j <= bins; ++j) {
      if (best[l][j] == kNone) continue;
      for (int o = -1; o < static_cast<int>(options.size()); ++o) {
        const double saving = o < 0 ? 0.0 : options[o].saving;
        const double loss = o < 0 ? 0.0 : options[o].loss;
        // A slower option is never worth taking: its negative saving is not counted as
        // freeing budget elsewhere, so it can only lose.
        if (o >= 0 && saving <= 0.0) continue;
        const std::size_t to = std::min(bins, j + steps(saving, step, bins));
        if (best[l][j] + loss < best[l + 1][to]) {
          best[l + 1][to] = best[l][j] + loss;
          from[l + 1][to] = {o, j};
        }
      }
    }
  }
  if (best[layers.size()][bins] == kNone) return r;
  r.feasible = true;
  std::size_t j = bins;
  for (std::size_t l = layers.size(); l > 0; --l) {
    const auto [o, prev] = from[l][j];
    r.choice[l - 1] = o;
    if (o >= 0) {
      r.saving += layers[l - 1].options[o].saving;
      r.loss += layers[l - 1].options[o].loss;
    }
    j = prev;
  }
  return r;
}

}  // namespace poda
