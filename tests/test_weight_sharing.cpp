#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "quantize/weight_sharing.h"

using namespace poda;

TEST_CASE("share_weights: linear initialisation between min and max of the survivors") {
  // One iteration: the centroids after it are the means of the linear-init clusters.
  // Survivors -1, -0.9, 0.1, 0.2, 1 (pruned 5.0 must not stretch the range); 2 bits:
  // initial centroids -1, -1/3, 1/3, 1 -> clusters {-1, -0.9}, {}, {0.1, 0.2}, {1}.
  const std::vector<float> w = {-1.0f, 5.0f, -0.9f, 0.1f, 0.0f, 0.2f, 1.0f};
  const std::vector<float> mask = {1, 0, 1, 1, 0, 1, 1};
  const SharedWeights s = share_weights(w.data(), mask.data(), w.size(), 2, 1);
  CHECK(s.centroids.size() == 4);
  CHECK(s.centroids[0] == doctest::Approx(-0.95f));
  CHECK(s.centroids[1] == doctest::Approx(-1.0f / 3.0f));  // empty: keeps its initial value
  CHECK(s.centroids[2] == doctest::Approx(0.15f));
  CHECK(s.centroids[3] == doctest::Approx(1.0f));
  CHECK(s.assignment == std::vector<std::int32_t>{0, kPrunedWeight, 0, 2, kPrunedWeight, 2, 3});
  CHECK(s.survivors() == 5);
}

TEST_CASE("share_weights: k-means converges, each survivor takes its nearest centroid") {
  std::mt19937 rng(9);
  std::normal_distribution<float> d(0.0f, 0.05f);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const std::size_t n = 5000;
  std::vector<float> w(n), mask(n);
  for (std::size_t i = 0; i < n; ++i) {
    mask[i] = u(rng) < 0.2f ? 1.0f : 0.0f;
    w[i] = d(rng);
  }
  for (int bits : {1, 3, 5, 8}) {
    CAPTURE(bits);
    const SharedWeights s = share_weights(w.data(), mask.data(), n, bits, 100);
    std::vector<float> out(n, 42.0f);
    materialize_shared(s, out.data());
    std::set<float> distinct;
    double err = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (mask[i] == 0.0f) {
        CHECK(out[i] == 0.0f);  // exactly zero, not a centroid
        continue;
      }
      distinct.insert(out[i]);
      // Nearest: no other centroid is strictly closer (beyond float rounding).
      for (float c : s.centroids) CHECK(std::fabs(c - w[i]) >= std::fabs(out[i] - w[i]) - 1e-6f);
      err += std::fabs(out[i] - w[i]);
    }
    CHECK(distinct.size() <= (std::size_t{1} << bits));
    if (bits == 8) CHECK(err / s.survivors() < 1e-3);
  }
}

TEST_CASE("share_weights: without a mask, exactly the zeros are pruned") {
  const std::vector<float> w = {0.0f, 0.5f, 0.0f, -0.5f};
  const SharedWeights s = share_weights(w.data(), nullptr, w.size(), 1, 10);
  CHECK(s.assignment == std::vector<std::int32_t>{kPrunedWeight, 1, kPrunedWeight, 0});
  CHECK(s.centroids == std::vector<float>{-0.5f, 0.5f});
}

TEST_CASE("share_weights: bits out of range and no iterations are refused") {
  const std::vector<float> w = {1.0f};
  CHECK_THROWS_AS(share_weights(w.data(), nullptr, 1, 0, 5), std::invalid_argument);
  CHECK_THROWS_AS(share_weights(w.data(), nullptr, 1, 9, 5), std::invalid_argument);
  CHECK_THROWS_AS(share_weights(w.data(), nullptr, 1, 4, 0), std::invalid_argument);
  // All pruned: no survivors, centroids 0, everything stays 0.
  const std::vector<float> zeros(6, 0.0f);
  const SharedWeights s = share_weights(zeros.data(), nullptr, 6, 2, 5);
  CHECK(s.survivors() == 0);
}

TEST_CASE("centroid_step: each centroid moves by lr times the sum of its members' gradients") {
  const std::vector<float> w = {-1.0f, -0.75f, 0.0f, 0.5f, 0.75f, 1.0f};
  const std::vector<float> mask = {1, 1, 0, 1, 1, 1};
  SharedWeights s = share_weights(w.data(), mask.data(), w.size(), 1, 10);
  REQUIRE(s.assignment == std::vector<std::int32_t>{0, 0, kPrunedWeight, 1, 1, 1});
  const std::vector<float> before = s.centroids;
  const auto assignment = s.assignment;
  // Gradients exact in binary, so the sums and the step are exact too; the pruned weight's
  // gradient (8) must be ignored.
  const std::vector<float> grad = {0.5f, 0.25f, 8.0f, -1.0f, 0.125f, 2.0f};
  const float lr = 0.5f;
  CHECK(centroid_gradients(s, grad.data()) == std::vector<float>{0.75f, 1.125f});
  centroid_step(s, grad.data(), lr);
  CHECK(s.centroids[0] == before[0] - lr * 0.75f);
  CHECK(s.centroids[1] == before[1] - lr * 1.125f);
  CHECK(s.assignment == assignment);  // the sharing structure is untouched
  std::vector<float> out(w.size());
  materialize_shared(s, out.data());
  CHECK(out[2] == 0.0f);
  CHECK(out[0] == out[1]);
  CHECK(out[3] == out[4]);
  CHECK(out[4] == out[5]);
}

TEST_CASE("WeightSharingSettings: conv and dense bits set apart") {
  WeightSharingSettings s;
  s.conv_bits = 8;
  s.dense_bits = 5;
  CHECK(s.bits_for_rank(4) == 8);
  CHECK(s.bits_for_rank(2) == 5);
}
