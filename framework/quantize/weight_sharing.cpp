#include "quantize/weight_sharing.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace poda {

namespace {

// Centroids evenly spaced over [min, max] of the surviving weights (all at min if they agree).
std::vector<float> linear_init(const std::vector<float>& alive, int bits) {
  const std::size_t k = std::size_t{1} << bits;
  std::vector<float> c(k, 0.0f);
  if (alive.empty()) return c;
  const auto [mn, mx] = std::minmax_element(alive.begin(), alive.end());
  for (std::size_t i = 0; i < k; ++i)
    c[i] = k == 1 ? 0.5f * (*mn + *mx)
                  : *mn + (*mx - *mn) * static_cast<float>(i) / static_cast<float>(k - 1);
  return c;
}

// Nearest centroid of each value (centroids ascending): binary search over the midpoints.
// Returns whether any assignment changed.
bool assign_nearest(const std::vector<float>& alive, const std::vector<float>& centroids,
                    std::vector<std::int32_t>& cluster) {
  std::vector<float> mid(centroids.size() - 1);
  for (std::size_t i = 0; i + 1 < centroids.size(); ++i)
    mid[i] = 0.5f * (centroids[i] + centroids[i + 1]);
  bool changed = false;
  for (std::size_t i = 0; i < alive.size(); ++i) {
    const auto k =
        static_cast<std::int32_t>(std::upper_bound(mid.begin(), mid.end(), alive[i]) - mid.begin());
    changed = changed || cluster[i] != k;
    cluster[i] = k;
  }
  return changed;
}

// Each centroid moves to the mean of its members; an empty cluster keeps its value.
// In 1-D the means stay inside their (ordered) Voronoi cells, so the order is kept.
void update_means(const std::vector<float>& alive, const std::vector<std::int32_t>& cluster,
                  std::vector<float>& centroids) {
  std::vector<double> sum(centroids.size(), 0.0);
  std::vector<std::size_t> count(centroids.size(), 0);
  for (std::size_t i = 0; i < alive.size(); ++i) {
    sum[cluster[i]] += alive[i];
    ++count[cluster[i]];
  }
  for (std::size_t k = 0; k < centroids.size(); ++k)
    if (count[k] > 0) centroids[k] = static_cast<float>(sum[k] / static_cast<double>(count[k]));
}

}  // namespace

std::size_t SharedWeights::survivors() const {
  return static_cast<std::size_t>(std::count_if(assignment.begin(), assignment.end(),
                                                [](std::int32_t a) { return a != kPrunedWeight; }));
}

SharedWeights share_weights(const float* w, const float* mask, std::size_t n, int bits,
                            int max_iterations) {
  if (bits < 1 || bits > 8)
    throw std::invalid_argument("weight sharing: bits = " + std::to_string(bits) +
                                " (expected 1 to 8)");
  if (max_iterations < 1)
    throw std::invalid_argument("weight sharing: max_iterations must be at least 1");
  std::vector<float> alive;  // the surviving weights, in order
  for (std::size_t i = 0; i < n; ++i)
    if (mask ? mask[i] != 0.0f : w[i] != 0.0f) alive.push_back(w[i]);
  SharedWeights shared;
  shared.bits = bits;
  shared.centroids = linear_init(alive, bits);
  std::vector<std::int32_t> cluster(alive.size(), kPrunedWeight);
  for (int it = 0; it < max_iterations; ++it) {
    if (!assign_nearest(alive, shared.centroids, cluster)) break;
    update_means(alive, cluster, shared.centroids);
  }
  shared.assignment.assign(n, kPrunedWeight);
  for (std::size_t i = 0, j = 0; i < n; ++i)
    if (mask ? mask[i] != 0.0f : w[i] != 0.0f) shared.assignment[i] = cluster[j++];
  return shared;
}

void materialize_shared(const SharedWeights& shared, float* w) {
  for (std::size_t i = 0; i < shared.size(); ++i) {
    const std::int32_t k = shared.assignment[i];
    w[i] = k == kPrunedWeight ? 0.0f : shared.centroids[k];
  }
}

std::vector<float> centroid_gradients(const SharedWeights& shared, const float* grad) {
  std::vector<float> g(shared.centroids.size(), 0.0f);
  for (std::size_t i = 0; i < shared.size(); ++i)
    if (shared.assignment[i] != kPrunedWeight) g[shared.assignment[i]] += grad[i];
  return g;
}

void centroid_step(SharedWeights& shared, const float* grad, float lr) {
  const std::vector<float> g = centroid_gradients(shared, grad);
  for (std::size_t k = 0; k < g.size(); ++k) shared.centroids[k] -= lr * g[k];
}

}  // namespace poda
