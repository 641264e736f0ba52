#pragma once
// The final choice of a budget search: its own answer and the baselines' (uniform and global
// magnitude at the sparsity that meets the same budget, issue 23) are all candidates; each is
// pruned, fine-tuned the same way and measured again, and the one of best VALIDATION accuracy
// among those that still meet the budget is kept (never the test split). So a search's answer
// is never worse on validation than a baseline that meets its budget: by construction.
#include <cmath>
#include <string>
#include <vector>

#include "prune/budget_spec.h"

namespace poda {

struct CandidateScore {
  std::string name;
  double val_accuracy = NAN;  // after the same fine-tuning as every other candidate
  double val_loss = NAN;
  bool met = false;  // measured again after its fine-tune
};

// The candidate of highest validation accuracy among those that met the budget; ties go to
// the lower validation loss, then to the earlier candidate (the search's own comes first).
// -1 when none met.
int choose_candidate(const std::vector<CandidateScore>& scores);

// A baseline taken as a candidate: a registered baseline strategy with its forms.
struct BaselineCandidate {
  std::string name;      // "uniform_unstructured", "uniform_structured", "global"
  std::string strategy;  // "uniform" or "global"
  std::vector<Granularity> forms;
};

// The baselines of a budget: uniform unstructured and global magnitude when the forms allow
// unstructured, uniform structured (the first of neuron/filter/channel) when they allow it.
std::vector<BaselineCandidate> baseline_candidates(const BudgetSpec& budget);

// Whether a strategy is itself a baseline (its rows have no other candidates).
bool is_baseline_strategy(const std::string& strategy);

// A bytes budget stored quantized is counted on the pruned model before its fine-tune, which
// moves the weights and so the k-means codes' Huffman size. When the fine-tuned model counts
// `counted` bytes against `budget`, the margin the search aims below by is raised so that the
// same drift leaves it under: what the drift was, plus one point, never less than `margin`.
double retrimmed_margin(double counted, double budget, double margin);

}  // namespace poda
