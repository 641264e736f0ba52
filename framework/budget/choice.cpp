#include "budget/choice.h"

#include <algorithm>

namespace poda {

int choose_candidate(const std::vector<CandidateScore>& scores) {
  int best = -1;
  for (int i = 0; i < static_cast<int>(scores.size()); ++i) {
    const CandidateScore& c = scores[i];
    if (!c.met || std::isnan(c.val_accuracy)) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const CandidateScore& b = scores[best];
    const bool lower_loss =
        !std::isnan(c.val_loss) && (std::isnan(b.val_loss) || c.val_loss < b.val_loss);
    if (c.val_accuracy > b.val_accuracy || (c.val_accuracy == b.val_accuracy && lower_loss))
      best = i;
  }
  return best;
}

std::vector<BaselineCandidate> baseline_candidates(const BudgetSpec& budget) {
  const std::vector<Granularity>& f = budget.forms;
  const auto has = [&f](Granularity g) { return std::find(f.begin(), f.end(), g) != f.end(); };
  std::vector<BaselineCandidate> out;
  if (has(Granularity::unstructured))
    out.push_back({"uniform_unstructured", "uniform", {Granularity::unstructured}});
  for (Granularity g : {Granularity::neuron, Granularity::filter, Granularity::channel})
    if (has(g)) {
      out.push_back({"uniform_structured", "uniform", {g}});
      break;
    }
  if (has(Granularity::unstructured))
    out.push_back({"global", "global", {Granularity::unstructured}});
  return out;
}

bool is_baseline_strategy(const std::string& strategy) {
  return strategy == "uniform" || strategy == "global";
}

double retrimmed_margin(double counted, double budget, double margin) {
  const double aimed = budget * (1.0 - margin);
  if (aimed <= 0.0 || counted <= budget) return margin;
  const double drift = counted / aimed - 1.0;  // what the fine-tune added to the count
  return std::min(0.5, std::max(margin, 1.0 - 1.0 / (1.0 + drift) + 0.01));
}

}  // namespace poda
