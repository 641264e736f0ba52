#pragma once
// NetAdapt's schedule (netadapt.cpp), exposed for tests: the target of every step.
#include <string>
#include <vector>

#include "nn/module.h"
#include "prune/granularity.h"

#include "budget/quantity.h"
#include "prune/budget_spec.h"

namespace poda {

// The share of a measured budget NetAdapt's last steps aim beyond it (budget/quantity.h's
// tightened_budget): a 4x LeNet-5 search measured 4.0x on its short timings and the final
// protocol 3.58x, so the search stops only when its own timing beats the budget by this much.
constexpr double kNetAdaptLatencyMargin = kSearchLatencyMargin;

// The targets of steps 1..steps+extra from the dense model's `start`: step k asks k/steps of the
// way to the tightened budget, the extra steps the tightened budget itself.
std::vector<double> netadapt_step_targets(const BudgetSpec& budget, double start, int steps,
                                          int extra);

// Where layer `layer` of `model` stands in `form` now, from its mask: the share of dead output
// units for neuron/filter, of zero weights for the forms that count every weight (unstructured,
// block, N:M); 0 unmasked. A step in another form than the layer's last starts its grid above
// this, so a neuron-pruned layer may go on to unstructured sparsity over its rows left.
double netadapt_current_sparsity(Module& model, const std::string& layer, Granularity form);

}  // namespace poda
