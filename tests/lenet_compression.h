#pragma once
// LeNet-300-100 (784-300-100-10) with random He-initialised weights, magnitude-pruned per
// layer, shared by k-means and counted as Deep Compression stores it. Used by the
// compressed-size test (which prints the figures).
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quantize/compressed_size.h"
#include "quantize/weight_sharing.h"

namespace poda::testing {

struct LenetCompression {
  ModelStorage fixed, huffman;
};

// Keeps the (1 - sparsity) largest |w| of w (ties kept), returns the 0/1 mask.
inline std::vector<float> magnitude_mask(const std::vector<float>& w, double sparsity) {
  std::vector<float> mag(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) mag[i] = std::fabs(w[i]);
  const std::size_t pruned = static_cast<std::size_t>(sparsity * static_cast<double>(w.size()));
  std::vector<float> sorted = mag;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(pruned), sorted.end());
  const float threshold = sorted[pruned];
  std::vector<float> mask(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) mask[i] = mag[i] >= threshold ? 1.0f : 0.0f;
  return mask;
}

inline LenetCompression compress_lenet_300_100(double sparsity, int bits, int index_bits) {
  const std::size_t dims[4] = {784, 300, 100, 10};
  std::mt19937 rng(2016);
  std::vector<LayerCodes> layers;
  for (int l = 0; l < 3; ++l) {
    const std::size_t in = dims[l], out = dims[l + 1];
    std::normal_distribution<float> he(0.0f, std::sqrt(2.0f / static_cast<float>(in)));
    std::vector<float> w(in * out);
    for (float& v : w) v = he(rng);
    const std::vector<float> mask = magnitude_mask(w, sparsity);
    const SharedWeights shared = share_weights(w.data(), mask.data(), w.size(), bits, 50);
    layers.push_back(kmeans_layer_codes("fc" + std::to_string(l + 1), shared, index_bits, out));
  }
  return {model_storage(layers, false), model_storage(layers, true)};
}

}  // namespace poda::testing
