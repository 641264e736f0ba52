#pragma once
// The training loop: epochs of mini-batches, validation after each epoch, the weights of
// the best validation epoch restored at the end (test data never takes part in a choice).
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include "data/splits.h"
#include "nn/module.h"
#include "train/metrics.h"
#include "train/progress.h"
#include "train/train_settings.h"

namespace poda {

// Loss became NaN or infinite: the run is marked failed with this message.
struct TrainingDiverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TrainHooks {
  // After every optimizer step; `step` counts from 0 over the whole fit() call.
  std::function<void(std::size_t step)> on_step_end;
  // After every epoch, with its metrics (e.g. to append them to metrics.jsonl).
  std::function<void(const EpochMetrics&)> on_epoch_end;
  // Whether an epoch may be chosen as the best one (gradual pruning: only once the target
  // sparsity is reached). Default: every epoch.
  std::function<bool(int epoch)> selectable;
  // The sparsity recorded in the metrics (the prune layer knows how to compute it).
  std::function<double()> sparsity;
};

struct FitResult {
  std::vector<EpochMetrics> epochs;
  int best_epoch = 0;  // 1-based; 0 when no epoch ran
  double best_val_acc = 0.0;
  double seconds = 0.0;
};

std::unique_ptr<Optimizer> make_optimizer(const TrainSettings& s, std::vector<Parameter*> params);

// Mean loss and accuracy over a whole set, in evaluation mode without a graph.
EvalResult evaluate(Module& model, const ImageSet& set, const Normalization& norm,
                    std::size_t batch_size);

// Trains `model` on data.train, validating on data.val. `phase` names the metrics
// ("train", "finetune", ...). `seed` fixes the batch order and augmentation.
FitResult fit(Module& model, const DataSplits& data, const Normalization& norm,
              const TrainSettings& settings, std::uint64_t seed, const std::string& phase,
              const TrainHooks& hooks = {}, Progress* progress = nullptr);

// Values of every parameter and buffer, by name (model selection, rewinding).
struct ModelState {
  std::vector<std::pair<std::string, Array>> values;
};
ModelState capture_state(Module& model);
// Restores values and re-applies masks, so a restored pruned weight stays zero.
void restore_state(Module& model, const ModelState& state);

}  // namespace poda
