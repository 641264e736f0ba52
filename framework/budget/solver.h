#pragma once
// The budget solver: each layer takes exactly one of its options (a form and sparsity, with
// the cost it saves and the loss it adds, both measured alone), so that the savings reach
// what the budget asks while the summed loss is least. That is a multiple-choice knapsack;
// solved exactly by dynamic programming over the savings cut into `bins` steps, rounded
// down (a solution it returns saves at least what it claims). Greedy by loss per saving
// would be simpler but misses the optimum when a layer's loss-against-saving curve is not
// convex, which measured tables often are (a structured option can save more and cost less
// accuracy than an unstructured one of the same layer).
#include <cstddef>
#include <vector>

namespace poda {

struct SolverOption {
  double saving = 0.0;  // how much of the budget's quantity it removes (may be < 0: slower)
  double loss = 0.0;    // what it adds to the validation loss (< 0: pruning it helped)
};

struct SolverLayer {
  std::vector<SolverOption> options;  // the dense choice (0, 0) is always implied
};

struct SolverResult {
  bool feasible = false;
  std::vector<int> choice;  // per layer: index into its options, -1 = left dense
  double saving = 0.0, loss = 0.0;  // the sums of the chosen options
  double max_saving = 0.0;          // the most any choice saves
};

// Least total loss with total saving >= `required`; `bins` sets the grid of the savings.
SolverResult solve_budget(const std::vector<SolverLayer>& layers, double required,
                          std::size_t bins = 2000);

}  // namespace poda
