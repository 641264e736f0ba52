#pragma once
// budget/: pruning to a measured budget (prune.budget, prune/budget_spec.h). A strategy
// chooses, for every prunable layer, a form and a sparsity so that the whole model meets the
// budget on this CPU with poda's own kernels, losing as little as it can. Above measure/ (it
// times candidates in inference plans) and below experiment/ (the runner calls it).
//
// Each strategy is one file that registers itself by name, as schedules do:
//
//   const BudgetStrategyRegistrar lookup_table_registrar("lookup_table", {make, "one line for poda list"});
//
// The runner then applies the chosen forms (apply_layer_forms, budget/layer_forms.h),
// fine-tunes and times the result again: a strategy's prediction is never the reported figure.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "budget/layer_forms.h"
#include "nn/layers/sequential.h"
#include "prune/activations.h"
#include "prune/criterion.h"
#include "prune/settings.h"

namespace poda {

// A model quantized for a trial: what it would store, and its validation loss.
struct QuantTrial {
  double bytes = 0.0;
  double loss = 0.0;
};

// What a strategy may use. The callbacks come from the runner (real data) or a test.
struct BudgetProblem {
  BudgetProblem(Sequential& m, Shape input, const PruneSettings& s)
      : model(m), input_shape(std::move(input)), settings(s) {}
  // The trained dense model; a strategy leaves it as it found it, unless it says
  // model_pruned (then the model is pruned to its layers and trained by the search).
  Sequential& model;
  Shape input_shape;
  const PruneSettings& settings;  // settings.budget is set
  // Validation loss of the model as it is (lower is better); never the test split.
  std::function<double(Module&)> validation_loss;
  ForwardFn run_forward;          // training batches, forward only (BatchNorm re-estimation)
  GradientFn compute_gradients;   // for data-driven criteria; may be empty
  // Measured tables kept between runs (the runner keeps them in the results folder): the
  // text saved under `key`, or "" when there is none; may be empty (nothing kept).
  std::function<std::string(const std::string& key)> load_table;
  std::function<void(const std::string& key, const std::string& text)> save_table;
  int recalibration_batches = 0;  // BatchNorm re-estimation before each sensitivity reading
  // A short fine-tune: `steps` optimiser steps on training batches at the fine-tuning
  // learning rate, masks kept (the runner's; a test's own); may be empty (none).
  std::function<void(Module&, int steps)> short_finetune;
  std::function<void(const std::string&)> message;  // progress lines; may be empty
  // A bytes budget of a run with a `quantize:` section: the value formats the weights may be
  // stored in, "" for fp32 and the scheme's kind ("int8", "kmeans"); the runner lists "" only
  // when prune.budget.forms allows the quantized form, since the run quantizes otherwise.
  // Empty: fp32 only, counted by stored_bytes().
  std::vector<std::string> value_formats;
  // The model's stored bytes and (with `loss`) validation loss once quantized in `format`
  // (no fine-tune), the model put back as it was; set by the runner whenever value_formats
  // names a scheme.
  std::function<QuantTrial(Sequential&, const std::string& format, bool loss)> quantize_trial;
  // How far below a bytes budget stored quantized every search aims (aimed_budget,
  // cost_table.h): the fine-tune after the search moves the weights and so the k-means codes'
  // Huffman size. The runner raises it when a fine-tuned candidate still counts over
  // (retrimmed_margin, budget/choice.h) and searches again.
  double quantized_bytes_margin = 0.03;
};

struct BudgetSearch {
  std::vector<LayerForm> layers;  // one per prunable layer the search may prune
  bool feasible = false;
  std::string reason;        // when not feasible: what the fastest reachable model gives
  double predicted = 0.0;    // the budget's quantity the strategy expects of `layers`
  bool table_reused = false; // its measured table came from table_dir
  bool model_pruned = false; // the model is left pruned to `layers`, with weights the search
                             // trained (netadapt): the runner does not prune it again
  std::string value_format;  // the value format chosen (BudgetProblem::value_formats): "" fp32
};

class BudgetStrategy {
 public:
  virtual ~BudgetStrategy() = default;
  // Called only when some layer may take one of the budget's forms (budget_layers() is not
  // empty): the runner says so before any search.
  virtual BudgetSearch search(BudgetProblem& problem) const = 0;
};

struct BudgetStrategyType {
  std::function<std::unique_ptr<BudgetStrategy>()> make;
  std::string help;  // one line for `poda list`
};

// Registering the same name twice throws.
void register_budget_strategy(const std::string& name, BudgetStrategyType type);
const BudgetStrategyType* find_budget_strategy(const std::string& name);
std::vector<std::string> budget_strategy_names();  // sorted
// Throws std::invalid_argument listing the names when `name` is unknown.
std::unique_ptr<BudgetStrategy> make_budget_strategy(const std::string& name);

struct BudgetStrategyRegistrar {
  BudgetStrategyRegistrar(const std::string& name, BudgetStrategyType type) {
    register_budget_strategy(name, std::move(type));
  }
};

}  // namespace poda
