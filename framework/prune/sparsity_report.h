#pragma once
// What is left of a model: per prunable layer and overall, counting the zeros of the
// effective weights (value ⊙ mask), and the output units not removed, by the definition
// compaction uses: a channel of a dependency group (prune/dependency_groups.h) whose writers'
// weights and biases and whose BatchNorms' γ and β are all masked; for a plain chain that is
// prune/dead_inputs.h's one-layer definition.
#include <string>
#include <vector>

#include "nn/module.h"

namespace poda {

struct LayerSparsity {
  std::string name;                     // layer name, e.g. "fc1"
  std::size_t params = 0, nonzero = 0;  // of the weight
  std::size_t units = 0, units_alive = 0;
  double sparsity() const { return params ? 1.0 - double(nonzero) / params : 0.0; }
};

struct SparsityReport {
  std::vector<LayerSparsity> layers;
  std::size_t params = 0, nonzero = 0;  // prunable weights
  // Output units of the prunable layers but the last (its units are the classes, which no
  // granularity removes), so a neuron target of 0.5 reads 0.5.
  std::size_t units = 0, units_alive = 0;
  std::size_t total_params = 0, total_nonzero = 0;  // every parameter, biases included
  double sparsity() const { return params ? 1.0 - double(nonzero) / params : 0.0; }
  double units_removed() const { return units ? 1.0 - double(units_alive) / units : 0.0; }
  // "" while every prunable layer still passes something on; else why the network no longer
  // depends on its input, e.g. "layer 'fc2' has no weight left (all 100 units dead)".
  std::string disconnection() const;
};

SparsityReport sparsity_report(Module& model);
// A fixed-width table for logs (name, params, nonzero, sparsity, units alive); poda bench
// prints it.
std::string format_sparsity_table(const SparsityReport& report);

}  // namespace poda
