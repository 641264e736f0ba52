#pragma once
// The budget solver: each layer takes exactly one of its options (a form and sparsity, with
// the cost it saves and the loss it adds, both measured alone), so that the savings reach
// what the budget asks while the summed loss is least. That is a multiple-choice knapsack;
// solved exactly by dynamic programming over the savings cut into `bins` steps, rounded
// down (a solution it returns saves at least what it claims). Greedy by loss per saving
// would be simpler but misses the optimum when a layer's loss-against-saving curve is not
// convex, which measured tables often are (a structured option can save more and cost less
// accuracy than an unstructured one of the same layer).
//
// Savings measured alone overlap along a chain: removing a layer's output units also saves
// part of the next layer (its inputs), which that layer's own options saved too. When a
// layer follows the previous one, the solver corrects the pair (the dynamic programme's state
// holds the previous layer's option): an option that removes output units saves its own part
// only on the inputs left (times `keep` of the previous option); one whose sparsity counts
// every weight, dead inputs included (unstructured), saves at most the larger of its own part
// and what the previous option already saved there.
#include <cmath>
#include <cstddef>
#include <vector>

namespace poda {

struct SolverOption {
  double saving = 0.0;  // how much of the budget's quantity it removes (may be < 0: slower)
  double loss = 0.0;    // what it adds to the validation loss (< 0: pruning it helped)
  // The part of `saving` on the layer itself (NaN: all of it); the rest is on the next layer.
  double own = NAN;
  double keep = 1.0;        // the fraction of its output units it keeps
  bool cumulative = true;   // its sparsity counts inputs that are already dead
};

struct SolverLayer {
  std::vector<SolverOption> options;  // the dense choice (0, 0) is always implied
  bool follows_previous = false;      // its inputs are the previous layer's output units
};

struct SolverResult {
  bool feasible = false;
  std::vector<int> choice;  // per layer: index into its options, -1 = left dense
  double saving = 0.0, loss = 0.0;  // the chosen options' total, overlaps corrected
  double max_saving = 0.0;          // the most any choice saves, overlaps not corrected
};

// Least total loss with total saving >= `required`; `bins` sets the grid of the savings.
SolverResult solve_budget(const std::vector<SolverLayer>& layers, double required,
                          std::size_t bins = 2000);

// What option `o` saves after `previous` (nullptr: dense) of the layer before it.
double saving_after(const SolverOption* previous, const SolverOption& o, bool follows_previous);

}  // namespace poda
