#pragma once
// Deep Compression's weight sharing (Han, Mao & Dally 2016, section 3): the surviving
// weights of a layer are clustered into 2^bits shared values by k-means, each weight then
// stores only its cluster index. Pruned weights are not clustered: they stay exactly 0 and
// own no index (the sparse format of compressed_size.h skips them).
//
//   initialisation  linear: 2^bits centroids evenly spaced between the min and max of the
//                   surviving weights (the paper's best: it keeps the few large weights).
//   clustering      Lloyd's iterations in 1-D until no assignment changes.
//   fine-tuning     the gradient of a centroid is the sum of the gradients of its weights;
//                   centroid_step applies c_k -= lr * sum, then the layer's weights are
//                   rewritten from the centroids, so the sharing structure never changes.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

inline constexpr std::int32_t kPrunedWeight = -1;  // assignment of a pruned weight

struct SharedWeights {
  int bits = 0;
  std::vector<float> centroids;          // (2^bits), ascending
  std::vector<std::int32_t> assignment;  // (numel): centroid index, or kPrunedWeight
  std::size_t size() const { return assignment.size(); }
  std::size_t survivors() const;
};

// Bits per layer kind, as the paper sets conv and fully-connected layers apart
// (8 and 5 bits for AlexNet). A 4-d weight (C_out, C_in, kH, kW) is a convolution.
struct WeightSharingSettings {
  int conv_bits = 8;
  int dense_bits = 5;
  int max_iterations = 50;
  int bits_for_rank(std::size_t weight_rank) const {
    return weight_rank == 4 ? conv_bits : dense_bits;
  }
};

// w (n), mask (n, 1 keep / 0 pruned) or nullptr (then exactly the zero weights are pruned)
// -> the clustered layer. bits in [1, 8], max_iterations >= 1; std::invalid_argument otherwise.
SharedWeights share_weights(const float* w, const float* mask, std::size_t n, int bits,
                            int max_iterations);

// w (n) = the centroid of each surviving weight, exactly 0 for pruned ones.
void materialize_shared(const SharedWeights& shared, float* w);

// grad (n): the layer's weight gradient -> (2^bits) sums of the gradients of each
// cluster's members; pruned weights contribute nothing.
std::vector<float> centroid_gradients(const SharedWeights& shared, const float* grad);

// One step of plain gradient descent on the centroids: c_k -= lr * centroid_gradients()[k].
// Assignments are untouched (the centroids may leave ascending order; nothing relies on it
// after clustering).
void centroid_step(SharedWeights& shared, const float* grad, float lr);

}  // namespace poda
