#include "prune/select.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace poda {

std::size_t units_for_fraction(double s, std::size_t n) {
  const double k = std::floor(s * static_cast<double>(n) + 0.5);
  if (k <= 0.0) return 0;
  return std::min(n, static_cast<std::size_t>(k));
}

std::vector<std::size_t> lowest_k(const std::vector<double>& scores, std::size_t k) {
  std::vector<std::size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  k = std::min(k, idx.size());
  auto before = [&](std::size_t a, std::size_t b) {
    // NaN scores sort as dead, so a broken criterion cannot hide weights from pruning.
    const double sa = std::isnan(scores[a]) ? -INFINITY : scores[a];
    const double sb = std::isnan(scores[b]) ? -INFINITY : scores[b];
    return sa < sb || (sa == sb && a < b);
  };
  if (k < idx.size()) std::nth_element(idx.begin(), idx.begin() + k, idx.end(), before);
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

}  // namespace poda
