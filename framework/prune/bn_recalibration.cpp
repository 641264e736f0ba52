#include "prune/bn_recalibration.h"

#include <utility>
#include <vector>

#include "nn/layers/batch_norm.h"

namespace poda {
namespace {

// BatchNorm is poda's one layer with running statistics (a layer type that adds some would
// be re-estimated here too).
std::vector<std::pair<BatchNorm*, float>> statistics_layers(Module& model) {
  std::vector<std::pair<BatchNorm*, float>> layers;
  for (auto& [name, m] : model.named_modules())
    if (auto* bn = dynamic_cast<BatchNorm*>(m)) layers.emplace_back(bn, bn->momentum());
  return layers;
}

}  // namespace

bool has_running_statistics(Module& model) { return !statistics_layers(model).empty(); }

bool recalibrate_statistics(Module& model, int batches, const ForwardFn& forward_batch) {
  const auto layers = statistics_layers(model);
  if (layers.empty() || batches <= 0 || !forward_batch) return false;
  const bool was_training = model.is_training();
  model.train();
  {
    NoGradGuard no_graph;
    for (int b = 0; b < batches; ++b) {
      // The first batch replaces the old statistics entirely; batch k weighs 1/k of the mean.
      for (auto& [layer, momentum] : layers) layer->set_momentum(1.0f / float(b + 1));
      forward_batch(model, b);
    }
  }
  for (auto& [layer, momentum] : layers) layer->set_momentum(momentum);
  model.train(was_training);
  return true;
}

}  // namespace poda
