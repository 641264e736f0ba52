#pragma once
// The kmeans scheme's quantized model: Deep Compression's weight sharing
// (quantize/kmeans_model.h), every weight-layer weight its centroids. In the checkpoint, for a
// parameter "fc1.weight" (quant_checkpoint.h):
//   entries  "fc1.weight.codebook" (2^bits centroids)
//            "fc1.weight.codebook_index" (shape of the weight; the centroid index, 0 where
//             pruned, with the pruning mask as the entry's mask)
//   metadata quant.fc1.weight.kind = kmeans, quant.fc1.weight.bits = <bits>
#include <memory>
#include <string>
#include <vector>

#include "experiment/quant_schemes/quant_scheme.h"
#include "quantize/kmeans_model.h"

namespace poda {

// `model` with its weights shared as `layers` (share_model_weights) as the kmeans scheme's
// quantized model.
std::unique_ptr<QuantizedModel> kmeans_quantized(Sequential& model,
                                                 std::vector<SharedLayer> layers);

// QuantSchemeType::load of the kmeans scheme.
std::shared_ptr<Sequential> load_kmeans(Sequential& model, const Checkpoint& checkpoint,
                                        const std::string& source);

// shape: the weight's shape (numel == shared.size()).
void add_shared_weights(Checkpoint& checkpoint, const std::string& name,
                        const SharedWeights& shared, const Shape& shape);
// Returns the shared weights; `shape` receives the weight's shape.
SharedWeights read_shared_weights(const Checkpoint& checkpoint, const std::string& name,
                                  const std::string& source, Shape& shape);

}  // namespace poda
