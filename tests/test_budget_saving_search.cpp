// The correction of a table search's answer (budget/saving_search.h) on a synthetic model of
// a timed budget: the solver's answers are discrete (steps of the table's savings), the whole
// model saves less than the table promised (time is not additive), and every reading is noisy
// the way the shared machine is: a few percent, and now and then 35% slow.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "budget/saving_search.h"
#include "core/random.h"

using namespace poda;

namespace {

// Dense 20 µs; a 4x speed-up aimed 10% beyond, so the limit is 20 / 4.4 µs of the reading's
// own dense time. The table can save 23.75 µs in 0.5 µs steps; the whole model saves less
// than promised, least so for small savings (19 µs × (answer / 23.75)^1.5: the first options
// taken, unstructured ones, save less in the whole plan than alone).
struct SyntheticTiming {
  double reference = 20.0, aim = 4.4, step = 0.5;
  double slow_chance = 0.0, slow = 1.35, jitter = 0.0;
  double most() const { return 23.75; }
  double answer(double asked) const { return std::ceil(asked / step - 1e-9) * step; }
  double true_us(double asked) const {
    return reference - 19.0 * std::pow(std::min(answer(asked), most()) / most(), 1.5);
  }
  SavingReading read(double asked, Rng& rng) const {
    const double dense = reference * std::exp(jitter * rng.normal());
    double us = true_us(asked) * std::exp(jitter * rng.normal());
    if (rng.uniform() < slow_chance) us *= slow;
    return {asked <= most(), dense, dense / aim, us};
  }
};

// The rule search_saving replaced: multiply the saving asked by needed / got (at most 4x) while
// missing, then halve the gap between the last miss and the last met.
double chased(const SyntheticTiming& t, Rng& rng) {
  double scale = 1.0, missed = 1.0, met = 0.0, kept = -1.0;
  const double first = t.reference - t.reference / t.aim;
  for (int attempt = 0; attempt < 6; ++attempt) {
    const double asked = std::min(first * scale, t.most());
    const SavingReading r = t.read(asked, rng);
    if (r.met()) {
      if (kept < 0.0 || asked < kept) kept = asked;
      met = scale;
    } else {
      missed = scale;
    }
    if (met > 0.0 && met - missed < 0.02 * met) break;
    scale = met > 0.0 ? 0.5 * (missed + met)
                      : scale * std::min(4.0, (r.reference - r.limit) / (r.reference - r.measured));
  }
  return kept < 0.0 ? t.most() : kept;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

TEST_CASE("budget saving search: without noise, the least answer that meets, in few tries") {
  const SyntheticTiming t;
  Rng rng(1);
  int probes = 0;
  const auto probe = [&](double asked) {
    ++probes;
    CHECK(asked >= 0.0);
    CHECK(asked <= t.most());
    return t.read(asked, rng);
  };
  SavingSearchSettings s;
  s.first = t.reference - t.reference / t.aim;  // what the table says: 15.45 µs
  s.most = t.most();
  const SavingSearchResult r = search_saving(probe, s);
  REQUIRE(r.found);
  CHECK(r.measured <= s.tries);
  CHECK(probes == r.measured);
  // Meets the aimed limit, and is not over-pruned by more than `tolerance`.
  const double limit = t.reference / t.aim;
  CHECK(t.true_us(r.asked) <= limit);
  CHECK(t.true_us(r.asked) >= (1.0 - s.tolerance) * limit);
}

TEST_CASE("budget saving search: a slow reading never sends it beyond what the table can save") {
  // The first reading is 10x slow (as if the core was lost): the chase would have asked 4x the
  // saving; the bracket keeps the next question inside [first, most].
  const SyntheticTiming t;
  Rng rng(2);
  std::vector<double> asked_seq;
  const auto probe = [&](double asked) {
    asked_seq.push_back(asked);
    SavingReading r = t.read(asked, rng);
    if (asked_seq.size() == 1) r.measured *= 10.0;
    return r;
  };
  SavingSearchSettings s;
  s.first = 10.0;
  s.most = t.most();
  const SavingSearchResult r = search_saving(probe, s);
  REQUIRE(asked_seq.size() >= 2);
  CHECK(asked_seq[1] <= 10.0 + 0.75 * (s.most - 10.0));
  CHECK(r.found);
}

TEST_CASE("budget saving search: on noisy timings it lands near the budget, the chase did not") {
  SyntheticTiming t;
  t.jitter = 0.04;
  t.slow_chance = 0.2;
  const double budget = 4.0;
  std::vector<double> searched, chase;
  int met_budget = 0;
  constexpr int kRuns = 300;
  for (int seed = 1; seed <= kRuns; ++seed) {
    Rng rng(seed);
    SavingSearchSettings s;
    s.first = t.reference - t.reference / t.aim;
    s.most = t.most();
    const SavingSearchResult r =
        search_saving([&](double asked) { return t.read(asked, rng); }, s);
    const double asked = r.found ? r.asked : s.most;  // the runner falls back to the smallest
    const double speedup = t.reference / t.true_us(asked);
    searched.push_back(speedup);
    met_budget += speedup >= budget;
    chase.push_back(t.reference / t.true_us(chased(t, rng)));
  }
  const double worst = *std::max_element(searched.begin(), searched.end());
  const double worst_chase = *std::max_element(chase.begin(), chase.end());
  CAPTURE(median(searched));
  CAPTURE(worst);
  CAPTURE(worst_chase);
  // The aim is 4.4x: mostly met between 4.4x and 4.9x, never beyond 1.5 times the aim, where
  // the chase's slow readings sent some runs to the smallest model (20x).
  CHECK(met_budget >= kRuns * 95 / 100);
  CHECK(median(searched) >= budget);
  CHECK(median(searched) <= 1.2 * t.aim);
  CHECK(worst <= 1.5 * t.aim);
  CHECK(worst_chase > 1.5 * t.aim);
}
