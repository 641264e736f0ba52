#pragma once
// Quantized weights in poda's checkpoint format (experiment/checkpoint.h) as ordinary named
// entries plus metadata, so the format version does not change. For a parameter "fc1.weight":
//   int8    entries "fc1.weight.int8"  (shape of the weight; the levels, exact in float32)
//                   "fc1.weight.scale" (C_out)
//           metadata quant.fc1.weight.kind = int8
//   kmeans  entries "fc1.weight.codebook" (2^bits centroids)
//                   "fc1.weight.codebook_index" (shape of the weight; the centroid index,
//                    0 where pruned, with the pruning mask as the entry's mask)
//           metadata quant.fc1.weight.kind = kmeans, quant.fc1.weight.bits = <bits>
// The readers validate everything (levels and indices in range and integral, shapes,
// metadata) and throw CheckpointError naming the source and the entry.
#include <string>

#include "experiment/io/checkpoint.h"
#include "quantize/int8_weights.h"
#include "quantize/weight_sharing.h"

namespace poda {

void add_int8_weights(Checkpoint& checkpoint, const std::string& name, const Int8Weights& weights);
Int8Weights read_int8_weights(const Checkpoint& checkpoint, const std::string& name,
                              const std::string& source);

// shape: the weight's shape (numel == shared.size()).
void add_shared_weights(Checkpoint& checkpoint, const std::string& name,
                        const SharedWeights& shared, const Shape& shape);
// Returns the shared weights; `shape` receives the weight's shape.
SharedWeights read_shared_weights(const Checkpoint& checkpoint, const std::string& name,
                                  const std::string& source, Shape& shape);

// "int8", "kmeans", or "" when the parameter is not quantized in this checkpoint.
std::string quantized_kind(const Checkpoint& checkpoint, const std::string& name);

// Whether `entry` is one of the entries above (".int8", ".scale", ".codebook",
// ".codebook_index" of a parameter whose quant kind metadata is set): what the ordinary
// model loader skips.
bool is_quantization_entry(const Checkpoint& checkpoint, const std::string& entry);

}  // namespace poda
