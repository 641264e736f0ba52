#pragma once
// The final choice of a budget run (budget/choice.h): the configured strategy's answer and,
// for a search, the baselines' answers at the same budget are each pruned, fine-tuned the same
// way (the run's fine-tuning, its first batch order, as a baseline row of the sweep gets) and
// measured again; the one of best validation accuracy that still meets the budget is kept.
// A bytes budget stored quantized is counted again after the fine-tune; a candidate that then
// counts over is searched again with a wider margin (retrimmed_margin) and fine-tuned again.
#include "budget/strategy.h"
#include "experiment/results/run_record.h"
#include "experiment/runner/budget_phase.h"

namespace poda {

// Runs the searches, fine-tunes every feasible candidate, leaves `model` as the chosen one
// (fine-tuned) and records search_seconds, budget_table, budget_choice, budget_candidates,
// acc_before_finetune, bn_recalibration and budget_format.
BudgetOutcome search_and_choose(Sequential& model, const BudgetRun& run, BudgetProblem& problem,
                                RunRecord& record);

}  // namespace poda
