#pragma once
// The per-layer decisions of a budget search and how they are applied: each prunable layer
// the search may touch gets one form (a granularity) and one sparsity of it, pruned with the
// configured criterion in that layer alone.
#include <string>
#include <vector>

#include "nn/module.h"
#include "prune/criterion.h"
#include "prune/settings.h"

namespace poda {

struct LayerForm {
  std::string layer;  // PruneTarget::name
  Granularity form = Granularity::unstructured;
  double sparsity = 0.0;  // 0: left dense
};

// A layer the search may prune, and the forms it may take there (the budget's forms that
// apply to it: output units not on the classifier, input channels not on the first
// convolution, only what the criterion supports and can score).
struct BudgetLayer {
  std::string name;
  std::vector<Granularity> forms;
};

// In model order; layers excluded by exclude_first/exclude_last or an `exclude` override are
// left out. neuron and filter both become the layer's own name for its output units.
std::vector<BudgetLayer> budget_layers(Module& model, const PruneSettings& settings);

// The sparsities tried for `form` (settings.granularity gives N:M and block sizes): a fixed
// grid up to max_layer_sparsity; N:M has the one sparsity 1 - N/M.
std::vector<double> form_sparsities(Granularity form, const PruneSettings& settings);

// Prunes each layer to its form and sparsity with settings.criterion, one layer at a time
// (scope layer, every other layer excluded). `ctx.model` must be `model`.
void apply_layer_forms(Module& model, const PruneSettings& settings,
                       const std::vector<LayerForm>& forms, CriterionContext& ctx);

// Every parameter's value and mask and every buffer, to try a candidate and undo it.
class TrialState {
 public:
  static TrialState capture(Module& model);
  void restore(Module& model) const;

 private:
  struct Saved {
    Array value, mask;
    bool masked = false;
  };
  std::vector<Saved> params_;
  std::vector<Array> buffers_;
};

}  // namespace poda
