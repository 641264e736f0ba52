#pragma once
// What flows through the network, for activation-based criteria (Wanda, APoZ): per-channel
// statistics of each prunable layer's input and output over the calibration batches. The
// runner supplies the forward passes (ForwardFn), as it supplies gradients: prune/ never
// loads data.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "prune/target.h"

namespace poda {

// Runs the model forward on the caller's batch `index` (0-based); the caller only feeds the
// batch (collect_activations sets evaluation mode and turns graph recording off).
using ForwardFn = std::function<void(Module& model, int index)>;

// Statistics of one tensor per channel (axis 1 of (B, C) or (B, C, H, W)), over every batch
// and spatial position.
struct ChannelStats {
  std::vector<double> l2_norm;        // sqrt(sum of x^2)
  std::vector<double> mean;           // mean of x
  std::vector<double> zero_fraction;  // fraction of entries exactly 0
};

struct LayerActivations {
  ChannelStats input;      // per input feature (Dense) or channel (Conv)
  ChannelStats output;     // per output unit, before anything after the layer
  ChannelStats activated;  // per output unit at the output of PruneTarget::activation
                           // (usually its ReLU); the same as `output` without one
};

using ActivationMap = std::map<std::string, LayerActivations>;  // by PruneTarget::name

// Runs batches [0, batches) through `run_forward` in evaluation mode without recording a
// graph, with `observer` installed; restores the model's mode and removes the observer, also
// when a pass throws. The pass that collect_activations and the layer Hessians share.
void observe_forward_passes(Module& model, ForwardObserver& observer, const ForwardFn& run_forward,
                            int batches);

// Runs batches [0, batches) through `run_forward` in evaluation mode without recording a
// graph, observing the targets' layers, and restores the model's mode. Throws when
// run_forward is empty.
ActivationMap collect_activations(Module& model, const std::vector<PruneTarget>& targets,
                                  const ForwardFn& run_forward, int batches);

}  // namespace poda
