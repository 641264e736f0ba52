#pragma once
// How a table-based search corrects its answer once measured as a whole. The table's costs
// were measured one layer at a time and do not add up exactly (time is not MACs, adjacent
// layers overlap), so the solver is asked for some saving, its answer is measured, and the
// saving asked is corrected. The measured saving grows with the saving asked (the solver only
// ever prunes more), so the correction is a bracketed search on that one number:
//   - the bracket is [a saving whose answer missed, one whose answer met]; it starts at
//     [0, everything the table can save] (nothing pruned misses, since the dense model does
//     not meet the budget; the smallest model meets, checked before any search);
//   - the next saving asked is the proportional estimate of the last reading (asked times
//     needed / got), kept inside the middle half of the bracket, so that a noisy reading
//     (a busy machine reads a model 30% slower now and then) can move it by at most 3/4 of
//     the bracket and never beyond it; the bracket shrinks to at most 3/4 at every try;
//   - it stops when a met answer measures at least (1 - tolerance) of the limit (it is not
//     over-pruned: a 4.4x aim then stops between 4.4x and 4.9x), when
//     the bracket is narrower than 2% of its top, or after `tries` measurements.
// The answer kept is the least saving that met: the solver's loss only grows with the saving.
// The multiplicative chase it replaces (asked times needed / got, up to 4x a step, no bracket)
// followed every slow reading upwards and over-pruned timed budgets 2-6x (a 2x speed-up budget
// answered 11.7x on LeNet-300-100, results/README.md section 8a).
#include <functional>

namespace poda {

// An answer measured as a whole, in the table's unit, where lower is better (µs, MACs, bytes).
struct SavingReading {
  bool feasible = false;   // the solver found an answer saving what was asked
  double reference = 0.0;  // the unpruned model, measured beside it (latency) or counted
  double limit = 0.0;      // what the answer must not exceed: the budget aimed at
  double measured = 0.0;
  bool met() const { return feasible && measured <= limit; }
  // What it saved against what the limit needs: 1 is exactly on the limit, above 1 met.
  double progress() const;
};

struct SavingSearchSettings {
  double first = 0.0;      // the saving asked first: what the table says the budget needs
  double most = 0.0;       // everything the table can save (the solver's max_saving)
  int tries = 6;           // answers measured at most
  double tolerance = 0.1;  // a met answer measuring >= (1 - tolerance) × limit stops it
};

struct SavingSearchResult {
  bool found = false;  // some answer met
  double asked = 0.0;  // the least saving asked whose answer met
  int measured = 0;    // answers measured
};

// `probe(saving)` solves for that saving and measures the answer (called with savings in
// [0, most], 0 only first, when the table says the dense model meets it; it may return the
// same answer for nearby savings: the solver's choices are discrete).
SavingSearchResult search_saving(const std::function<SavingReading(double saving)>& probe,
                                 const SavingSearchSettings& settings);

}  // namespace poda
