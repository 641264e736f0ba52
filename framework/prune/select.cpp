#include "prune/select.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace poda {

namespace {
double rank_score(double s) {
  return std::isnan(s) ? -INFINITY : s;
}
}  // namespace

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
    const double sa = rank_score(scores[a]), sb = rank_score(scores[b]);
    return sa < sb || (sa == sb && a < b);
  };
  if (k < idx.size()) std::nth_element(idx.begin(), idx.begin() + k, idx.end(), before);
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

std::vector<std::size_t> lowest_k_capped(const std::vector<double>& scores,
                                         const std::vector<std::size_t>& group_end,
                                         const std::vector<std::size_t>& cap, std::size_t k) {
  auto group_of = [&](std::size_t i) {  // a lookup, not a table: global pools hold millions
    return static_cast<std::size_t>(std::upper_bound(group_end.begin(), group_end.end(), i) -
                                    group_end.begin());
  };
  // The plain choice is usually within every cap: then it is the answer, without a sort.
  std::vector<std::size_t> chosen = lowest_k(scores, k);
  std::vector<std::size_t> taken(cap.size(), 0);
  bool within = true;
  for (std::size_t i : chosen) within = within && ++taken[group_of(i)] <= cap[group_of(i)];
  if (within) return chosen;

  std::vector<std::size_t> order(scores.size());  // all, by (score, index)
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return rank_score(scores[a]) < rank_score(scores[b]);
  });
  std::fill(taken.begin(), taken.end(), 0);
  chosen.clear();
  for (std::size_t i : order)  // the dead first: they are gone whatever the caps
    if (scores[i] == -INFINITY) chosen.push_back(i), ++taken[group_of(i)];
  for (std::size_t i : order) {
    if (chosen.size() >= k) break;
    const std::size_t g = group_of(i);
    if (scores[i] != -INFINITY && taken[g] < cap[g]) chosen.push_back(i), ++taken[g];
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace poda
