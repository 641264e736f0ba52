// The budget solver (budget/solver.h) on synthetic tables whose optimum is known: one worked
// by hand, and random ones checked against trying every combination.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "budget/solver.h"
#include "core/random.h"

using namespace poda;

namespace {

// The least loss reaching `required` by trying every combination (-1 = dense per layer).
double brute_force(const std::vector<SolverLayer>& layers, double required) {
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> pick(layers.size(), -1);
  while (true) {
    double saving = 0.0, loss = 0.0;
    for (std::size_t l = 0; l < layers.size(); ++l)
      if (pick[l] >= 0 && layers[l].options[pick[l]].saving > 0.0) {
        saving += layers[l].options[pick[l]].saving;
        loss += layers[l].options[pick[l]].loss;
      }
    if (saving >= required) best = std::min(best, loss);
    std::size_t l = 0;
    while (l < layers.size() && ++pick[l] == static_cast<int>(layers[l].options.size()))
      pick[l++] = -1;
    if (l == layers.size()) return best;
  }
}

}  // namespace

TEST_CASE("budget solver: the optimum of a table worked by hand") {
  // Savings needed: 10. The cheapest option per unit saved of layer 0 (8 for 5) is not part
  // of the optimum: 3 + 6 + 2 = 11 saved for 1 + 2.5 + 0.1 = 3.6 lost.
  const std::vector<SolverLayer> layers{{{{3, 1.0}, {8, 5.0}}}, {{{4, 2.0}, {6, 2.5}}},
                                        {{{2, 0.1}}}};
  const SolverResult r = solve_budget(layers, 10.0);
  REQUIRE(r.feasible);
  CHECK(r.choice == std::vector<int>{0, 1, 0});
  CHECK(r.saving == doctest::Approx(11.0));
  CHECK(r.loss == doctest::Approx(3.6));
  CHECK(r.max_saving == doctest::Approx(16.0));
}

TEST_CASE("budget solver: a met budget leaves every layer dense, an unreachable one says so") {
  const std::vector<SolverLayer> layers{{{{3, 1.0}}}, {{{4, 2.0}}}};
  const SolverResult met = solve_budget(layers, 0.0);
  CHECK(met.feasible);
  CHECK(met.choice == std::vector<int>{-1, -1});
  const SolverResult too_much = solve_budget(layers, 7.5);
  CHECK_FALSE(too_much.feasible);
  CHECK(too_much.max_saving == doctest::Approx(7.0));
}

TEST_CASE("budget solver: an option slower than dense is never taken") {
  // Layer 1's only option adds cost (a sparse kernel slower than the dense one).
  const std::vector<SolverLayer> layers{{{{5, 1.0}}}, {{{-2, 0.0}}}};
  const SolverResult r = solve_budget(layers, 4.0);
  REQUIRE(r.feasible);
  CHECK(r.choice == std::vector<int>{0, -1});
  CHECK_FALSE(solve_budget(layers, 5.5).feasible);
}

TEST_CASE("budget solver: random tables, against every combination") {
  Rng rng(23);
  for (int trial = 0; trial < 200; ++trial) {
    CAPTURE(trial);
    std::vector<SolverLayer> layers(1 + trial % 4);
    double total = 0.0;
    for (SolverLayer& l : layers) {
      const int options = 1 + static_cast<int>(rng.uniform() * 4);
      double most = 0.0;
      for (int o = 0; o < options; ++o) {
        // Whole savings, so the grid of `required` steps is exact.
        const double saving = std::floor(rng.uniform() * 12) - 1;
        l.options.push_back({saving, std::round(rng.uniform() * 100) / 10});
        most = std::max(most, saving);
      }
      total += most;
    }
    const double required = std::floor(rng.uniform() * (total + 3)) + 1;
    const double expected = brute_force(layers, required);
    const SolverResult r = solve_budget(layers, required, static_cast<std::size_t>(required));
    CHECK(r.feasible == std::isfinite(expected));
    if (!r.feasible) continue;
    CHECK(r.loss == doctest::Approx(expected));
    CHECK(r.saving >= required);
  }
}

TEST_CASE("budget solver: savings that overlap along a chain are corrected") {
  // Layer 0 removes half its filters: it saves 10, of which 6 on layer 1's inputs.
  SolverOption half_filters{10, 1.0};
  half_filters.own = 4;
  half_filters.keep = 0.5;
  half_filters.cumulative = false;
  // Layer 1: unstructured (its sparsity counts the dead inputs), or half its neurons.
  const SolverOption unstructured{10, 2.0};
  SolverOption half_neurons{5, 0.5};
  half_neurons.keep = 0.5;
  half_neurons.cumulative = false;
  // After half the filters, unstructured saves what is left beyond their 6; half the neurons
  // save their 5 only on the half of the inputs left.
  CHECK(saving_after(&half_filters, unstructured, true) == doctest::Approx(4.0));
  CHECK(saving_after(&half_filters, half_neurons, true) == doctest::Approx(2.5));
  CHECK(saving_after(&half_filters, half_neurons, false) == doctest::Approx(5.0));
  CHECK(saving_after(nullptr, half_neurons, true) == doctest::Approx(5.0));

  std::vector<SolverLayer> layers{{{half_filters}}, {{unstructured, half_neurons}}};
  layers[1].follows_previous = true;
  // Counted alone, filters + neurons would save 15 for a loss of 1.5; together they save
  // 12.5, so 13 takes filters + unstructured: 14 for 3.
  const SolverResult r = solve_budget(layers, 13.0);
  REQUIRE(r.feasible);
  CHECK(r.choice == std::vector<int>{0, 0});
  CHECK(r.saving == doctest::Approx(14.0));
  CHECK(r.loss == doctest::Approx(3.0));
  const SolverResult less = solve_budget(layers, 12.0);
  REQUIRE(less.feasible);
  CHECK(less.choice == std::vector<int>{0, 1});
  CHECK(less.saving == doctest::Approx(12.5));
  // Unrelated layers add up (14.9: a sum exactly on the budget may round below it on the grid).
  layers[1].follows_previous = false;
  CHECK(solve_budget(layers, 14.9).choice == std::vector<int>{0, 1});
}
