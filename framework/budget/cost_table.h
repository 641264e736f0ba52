#pragma once
// What each candidate costs and what it loses, measured one layer at a time: the model with
// only that layer pruned to one form and sparsity, everything else dense. A candidate's
// cost is the budget's quantity of that model (budget/quantity.h) less the dense model's;
// its loss is the validation loss it adds, read after re-estimating BatchNorm statistics
// where the model has them (stale statistics make a pruned candidate read near chance).
// The search then assumes costs and losses add up over layers, and checks its answer.
#include <string>
#include <vector>

#include "budget/quantity.h"
#include "budget/strategy.h"

namespace poda {

struct CostEntry {
  std::string layer;
  Granularity form = Granularity::unstructured;
  double sparsity = 0.0;
  double delta = 0.0;  // the quantity with this layer pruned alone, less the dense model's
  double loss = 0.0;   // validation loss added (filled by measure_losses)
};

struct CostTable {
  double base = 0.0;  // the dense model's quantity (µs at the budget's batch, MACs, bytes)
  std::vector<CostEntry> entries;
  bool reused = false;  // read from a kept table, not measured now
};

// The candidates of `layers`: every allowed form at each of its sparsities.
std::vector<CostEntry> candidates(const std::vector<BudgetLayer>& layers,
                                  const PruneSettings& settings);

// Costs of every candidate. Latency kinds time each candidate in alternation with
// the dense model (so a busy machine slows all alike) and are kept through problem's
// load_table / save_table under a key naming this CPU, its kernel target, the BLAS threads,
// the batch size and the model's shape; MACs and bytes are counted.
// A bytes budget counts each candidate stored in value format `format` (strategy.h).
CostTable measure_costs(BudgetProblem& problem, std::vector<CostEntry> entries,
                        const std::string& format = "");

// The budget's quantity of the model as it is, its weights stored in `format` ("": fp32):
// a bytes budget in a quantized format is problem.quantize_trial's count, the rest
// measure_budget (budget/quantity.h).
BudgetMeasurement measure_problem(BudgetProblem& problem, const std::string& format,
                                  const LatencyProtocol& protocol,
                                  int readings = kSearchReadings);

// What a search aims at in `format`: a timed budget kSearchLatencyMargin beyond, a bytes
// budget stored quantized problem.quantized_bytes_margin below (the pruning fine-tune after the
// search moves the weights, so the k-means codes and their Huffman-coded size differ from what
// the search counted: +5.2% measured on LeNet-300-100's uniform baseline, which then missed;
// the centroid fine-tune never changes the codes), any other budget itself.
double aimed_budget(const BudgetProblem& problem, const std::string& format);

// The format of a strategy that does not choose one: the last of value_formats (the quantized
// one whenever it is allowed; it only shrinks the bytes), "" when there is none.
std::string default_value_format(const BudgetProblem& problem);

// Fills each entry's loss (the dense model's validation loss subtracted), read after
// budget.search_finetune_steps of problem.short_finetune when that is positive (a form that
// fine-tunes well is then not undervalued), and after BatchNorm re-estimation.
// `default_steps`: the steps when search_finetune_steps is not configured (-1).
void measure_losses(BudgetProblem& problem, std::vector<CostEntry>& entries,
                    int default_steps = 0);

// The context the configured criterion prunes with (data callbacks of `problem`).
CriterionContext criterion_context(BudgetProblem& problem);

// The key and text of a latency table (exposed for tests).
std::string latency_table_key(BudgetProblem& problem, const std::vector<CostEntry>& entries);
std::string table_text(const CostTable& table);
// Reads table_text() back; false when the text does not hold every entry of `entries`.
bool read_table_text(const std::string& text, CostTable& table);

}  // namespace poda
