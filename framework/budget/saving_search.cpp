#include "budget/saving_search.h"

#include <algorithm>

namespace poda {

double SavingReading::progress() const {
  const double needed = reference - limit;
  const double got = reference - measured;
  if (needed <= 0.0) return got >= needed ? 2.0 : 0.0;  // a limit above the reference
  return got / needed;
}

SavingSearchResult search_saving(const std::function<SavingReading(double saving)>& probe,
                                 const SavingSearchSettings& s) {
  SavingSearchResult result;
  double missed = 0.0, met = s.most;  // the bracket; `met` is assumed until one is measured
  double asked = std::clamp(s.first, 0.0, s.most);  // 0: the table says none is needed
  // Infeasible savings are not measured, so they do not count as tries: bounded separately.
  for (int step = 0; step < 4 * s.tries && result.measured < s.tries && met > missed; ++step) {
    const SavingReading r = probe(asked);
    if (!r.feasible) {  // more than the solver can save on its grid: the top comes down
      met = asked * (1.0 - 1e-6);
      asked = 0.5 * (missed + met);
      continue;
    }
    ++result.measured;
    if (r.met()) {
      met = asked;
      result.found = true;
      result.asked = asked;
      if (r.measured >= (1.0 - s.tolerance) * r.limit) break;
    } else {
      missed = asked;
    }
    if (met - missed < 0.02 * met) break;
    const double got = r.progress();
    const double estimate = got > 0.0 ? asked / got : met;
    const double quarter = 0.25 * (met - missed);
    asked = std::clamp(estimate, missed + quarter, met - quarter);
  }
  return result;
}

}  // namespace poda
