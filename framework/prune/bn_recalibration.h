#pragma once
// BatchNorm recalibration ("adaptive BN", Li et al. 2020, EagleEye): after a pruning step the
// running statistics of the BatchNorm layers behind the removed units describe activations
// that no longer exist, and an evaluation with them reads near chance. Re-estimating them on a
// few training batches, forward only in training mode and without any gradient step, restores
// what the pruned weights can do before any fine-tuning.
#include "nn/module.h"
#include "prune/activations.h"

namespace poda {

// Whether some layer of `model` keeps running statistics (BatchNorm).
bool has_running_statistics(Module& model);

// Replaces every running statistic of `model` by its plain mean over `batches` training batches
// (PyTorch's momentum=None), each run through `forward_batch` in training mode without a graph.
// The model's mode and the layers' momentum are restored. Returns whether anything was
// re-estimated (false: no such layer, no batches or no forward function).
bool recalibrate_statistics(Module& model, int batches, const ForwardFn& forward_batch);

}  // namespace poda
