#pragma once
// The input Hessian of one prunable layer, H = 2 X X^T / n, over the calibration batches:
// X's columns are the rows a Dense layer multiplies (every leading index of its input, e.g.
// each token of each sample) or the im2col patches a Conv2d multiplies (one per output
// position), in the weight's column order (c, kh, kw). Exact: no sampling of positions.
#include "prune/activations.h"
#include "prune/reconstruction/obs.h"
#include "prune/target.h"

namespace poda {

// Whether the layer's input can be laid out as the rows its weight multiplies: Dense, and
// Conv2d with groups == 1 (a grouped convolution has one Hessian per group: not handled).
bool hessian_supported(const PruneTarget& t);

// Runs batches [0, batches) through run_forward in evaluation mode without a graph (as
// collect_activations does) and accumulates the Hessian of t's input; the model's mode is
// restored. Throws when run_forward is empty or the layer never ran.
Matrix layer_hessian(Module& model, const PruneTarget& t, const ForwardFn& run_forward,
                     int batches);

}  // namespace poda
