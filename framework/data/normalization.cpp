#include "data/normalization.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "data/data_error.h"

namespace poda {

Normalization compute_normalization(const ImageSet& set) {
  if (set.count == 0 || set.channels == 0)
    throw DataError("compute_normalization: the image set is empty");
  const std::size_t plane = set.height * set.width;
  Normalization norm;
  for (std::size_t c = 0; c < set.channels; ++c) {
    // A histogram of byte values gives exact sums, whatever the set's size.
    std::array<std::uint64_t, 256> hist{};
    for (std::size_t i = 0; i < set.count; ++i) {
      const std::uint8_t* p = set.pixels.data() + (i * set.channels + c) * plane;
      for (std::size_t k = 0; k < plane; ++k) ++hist[p[k]];
    }
    double sum = 0.0, sum_sq = 0.0;
    for (int v = 0; v < 256; ++v) {
      const double x = v / 255.0;
      sum += x * double(hist[v]);
      sum_sq += x * x * double(hist[v]);
    }
    const double n = double(set.count) * double(plane);
    const double mean = sum / n;
    const double var = std::max(0.0, sum_sq / n - mean * mean);
    const double sd = std::sqrt(var);
    norm.mean.push_back(static_cast<float>(mean));
    norm.std.push_back(sd > 1e-6 ? static_cast<float>(sd) : 1.0f);
  }
  return norm;
}

Normalization identity_normalization(std::size_t channels) {
  return Normalization{std::vector<float>(channels, 0.0f), std::vector<float>(channels, 1.0f)};
}

}  // namespace poda
