#include "prune/schedules/sparse_topology.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace poda {

LayerDensities parse_layer_densities(const std::string& name) {
  if (name == "erk") return LayerDensities::erk;
  if (name == "uniform") return LayerDensities::uniform;
  throw std::invalid_argument("unknown layer densities '" + name +
                              "' (expected one of: erk, uniform)");
}

std::string layer_densities_name(LayerDensities d) {
  return d == LayerDensities::erk ? "erk" : "uniform";
}

std::vector<double> layer_densities(const std::vector<Shape>& shapes, double density,
                                    LayerDensities kind) {
  std::vector<double> out(shapes.size(), density);
  if (kind == LayerDensities::uniform || shapes.empty()) return out;
  std::vector<double> n(shapes.size()), raw(shapes.size());
  double total = 0.0;
  for (std::size_t l = 0; l < shapes.size(); ++l) {
    n[l] = double(numel(shapes[l]));
    double sum = 0.0;
    for (std::size_t d : shapes[l]) sum += double(d);
    raw[l] = sum / n[l];
    total += n[l];
  }
  std::vector<bool> dense(shapes.size(), false);
  for (;;) {  // each pass makes at least one more layer dense, or ends
    double budget = density * total, weighted = 0.0;
    for (std::size_t l = 0; l < shapes.size(); ++l)
      if (dense[l])
        budget -= n[l];
      else
        weighted += raw[l] * n[l];
    const double eps = weighted > 0.0 ? budget / weighted : 0.0;
    bool changed = false;
    for (std::size_t l = 0; l < shapes.size(); ++l)
      if (!dense[l] && eps * raw[l] > 1.0) dense[l] = changed = true;
    if (changed) continue;
    for (std::size_t l = 0; l < shapes.size(); ++l) out[l] = dense[l] ? 1.0 : eps * raw[l];
    return out;
  }
}

Array random_topology(const Shape& shape, double density, Rng& rng) {
  Array mask = zeros_array(shape);
  const std::size_t n = mask.size();
  std::size_t keep = static_cast<std::size_t>(std::llround(density * double(n)));
  keep = std::min(n, std::max<std::size_t>(keep, 1));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t(0));
  for (std::size_t i = 0; i < keep; ++i)  // a partial Fisher-Yates: the first `keep` are drawn
    std::swap(order[i], order[i + std::size_t(rng.below(n - i))]);
  for (std::size_t i = 0; i < keep; ++i) mask.data()[order[i]] = 1.0f;
  return mask;
}

double cosine_drop_fraction(long t, double initial, long end) {
  if (t >= end || end <= 0) return 0.0;
  return initial / 2.0 * (1.0 + std::cos(M_PI * double(t) / double(end)));
}

namespace {
// The first k of `candidates` in the order `before` (a strict weak order, ties by index).
template <class Less>
void take_first(std::vector<std::size_t>& candidates, std::size_t k, Less before) {
  auto less = [&](std::size_t a, std::size_t b) {
    return before(a, b) || (!before(b, a) && a < b);
  };
  std::partial_sort(candidates.begin(), candidates.begin() + std::ptrdiff_t(k), candidates.end(),
                    less);
  candidates.resize(k);
}
}  // namespace

std::vector<float> update_topology(float* weight, const float* mask, const float* grow_score,
                                   std::size_t n, std::size_t k) {
  std::vector<std::size_t> kept, empty;
  for (std::size_t i = 0; i < n; ++i) (mask[i] != 0.0f ? kept : empty).push_back(i);
  k = std::min({k, kept.size(), empty.size()});
  std::vector<float> next(mask, mask + n);
  for (float& m : next) m = m != 0.0f ? 1.0f : 0.0f;
  take_first(kept, k, [&](std::size_t a, std::size_t b) {
    return std::fabs(weight[a]) < std::fabs(weight[b]);
  });
  for (std::size_t i : kept) next[i] = 0.0f;
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < n; ++i)
    if (next[i] == 0.0f) candidates.push_back(i);
  take_first(candidates, k,
             [&](std::size_t a, std::size_t b) { return grow_score[a] > grow_score[b]; });
  for (std::size_t i : candidates) {
    next[i] = 1.0f;
    if (mask[i] == 0.0f) weight[i] = 0.0f;
  }
  return next;
}

}  // namespace poda
