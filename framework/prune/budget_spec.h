#pragma once
// `prune.budget`: what the pruned model must meet, instead of a sparsity. One kind per
// budget: a latency at a batch size, a speedup over the model's own dense plan at a batch
// size, MACs per sample or stored bytes. The search that meets it lives in budget/ (above
// measure/, which it needs to time the candidates); this is only the parsed setting.
#include <cstddef>
#include <string>
#include <vector>

#include "prune/granularity.h"

namespace poda {

enum class BudgetKind { latency_us, speedup, macs, bytes };

struct BudgetSpec {
  BudgetKind kind = BudgetKind::latency_us;
  double value = 0.0;      // µs per batch, times faster, MACs per sample or bytes
  std::size_t batch = 1;   // latency and speedup: the batch size it holds at
  // The forms each layer may take, in the order given; neuron and filter both mean the
  // layer's output units (what compaction removes).
  std::vector<Granularity> forms{Granularity::unstructured, Granularity::filter};
  // Quantized value formats a bytes budget may store the weights in instead of fp32
  // ("int8", "kmeans"): each needs the run's `quantize:` section to be of that kind.
  std::vector<std::string> quant_forms;
  std::string strategy = "lookup_table";  // a registered search (budget/strategy.h)
  // Optimiser steps of the short fine-tune a search gives a candidate before reading its
  // validation loss (search_finetune_steps); -1: the strategy's own default (lookup_table
  // 20, netadapt 30).
  int search_finetune_steps = -1;
  // Whether a search's answer competes with the baselines' at the same budget in one final
  // choice on validation accuracy (budget/choice.h); false: the search's own answer only.
  bool baselines = true;

  // The YAML key the value is written under: latency_b<B>_us, speedup, macs, bytes.
  std::string key() const;
  // What runs.csv's budget_kind says: the key, with "_b<B>" for a speedup.
  std::string label() const;
  // Whether a measured value of this kind meets the budget (speedup: at least, else at most).
  bool met_by(double achieved) const;
};

// The granularities a budget may choose among (each has a mask the inference kernels run).
std::vector<std::string> budget_form_names();
// The quantized forms (value formats of a bytes budget): int8, kmeans.
std::vector<std::string> budget_quant_form_names();
// The batch size of a key "latency_b<B>_us", or 0 when `key` is not of that form.
std::size_t latency_key_batch(const std::string& key);

}  // namespace poda
