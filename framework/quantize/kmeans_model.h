#pragma once
// Deep Compression's weight sharing over a whole model: every weight of a weight layer
// (Dense, Conv2d) clustered on its own codebook (weight_sharing.h), and the fine-tuning that
// moves only the centroids, by the summed gradients of their members, so the sharing
// structure and the pruning mask never change.
#include <string>
#include <vector>

#include "nn/module.h"
#include "quantize/compressed_size.h"
#include "quantize/weight_sharing.h"

namespace poda {

struct SharedLayer {
  std::string name;  // parameter name, e.g. "fc1.weight"
  Parameter* weight = nullptr;
  SharedWeights shared;
};

// Clusters every weight-layer weight (bits by its rank) and writes the centroids into it.
std::vector<SharedLayer> share_model_weights(Module& model, const WeightSharingSettings& settings);

// After a backward pass: each centroid moves by lr * the summed gradient of its members
// (centroid_step), and the weights are rewritten from the centroids.
void step_centroids(std::vector<SharedLayer>& layers, float lr);

// Reads the centroids back from the weights (after the trainer restored the weights of its
// best epoch, which are materialised centroids of that epoch).
void sync_centroids_from_weights(std::vector<SharedLayer>& layers);

// The layers to count in compressed_size.h: codebook indices per layer, the index width by
// rank (conv / dense), and every other parameter of the layer's module (bias) in fp32.
std::vector<LayerCodes> kmeans_model_codes(Module& model, const std::vector<SharedLayer>& layers,
                                           int conv_index_bits, int dense_index_bits);

}  // namespace poda
