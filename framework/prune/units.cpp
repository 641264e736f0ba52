#include "prune/units.h"

#include <algorithm>
#include <cmath>

#include "prune/select.h"

namespace poda {

UnitLayout unit_layout(const PruneTarget& t, const GranularitySpec& g) {
  const std::size_t out = t.out_units(), in = t.in_units(), k = t.kernel_size();
  UnitLayout l;
  l.unit_of.resize(out * in * k);
  auto assign = [&](auto unit_fn) {
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t i = 0; i < in; ++i)
        for (std::size_t j = 0; j < k; ++j) l.unit_of[(o * in + i) * k + j] = unit_fn(o, i, j);
  };
  switch (g.kind) {
    case Granularity::neuron:
    case Granularity::filter:
    case Granularity::head:  // rows here; the pruner sums a head's rows
      l.units = out;
      assign([](std::size_t o, std::size_t, std::size_t) { return o; });
      break;
    case Granularity::channel:
      if (t.groups != 1) return {};  // an input channel of a grouped conv is not one column
      l.units = in;
      assign([](std::size_t, std::size_t i, std::size_t) { return i; });
      break;
    case Granularity::block: {
      const std::size_t br = g.block_rows, bc = g.block_cols;
      const std::size_t tiles_c = (in * k + bc - 1) / bc;
      l.units = ((out + br - 1) / br) * tiles_c;
      assign([&](std::size_t o, std::size_t i, std::size_t j) {
        return (o / br) * tiles_c + (i * k + j) / bc;
      });
      break;
    }
    default: return {};
  }
  l.unit_size.assign(l.units, 0);
  for (std::uint32_t u : l.unit_of) ++l.unit_size[u];
  return l;
}

std::vector<double> aggregate_scores(const UnitLayout& layout, const Array& element_scores,
                                     bool mean, const Parameter& weight) {
  // Only the unit's surviving entries count: a mean over pruned zeros too would sink a unit
  // whose inputs died with an earlier layer's units, round after round.
  std::vector<double> out(layout.units, 0.0);
  std::vector<std::size_t> alive(layout.units, 0);
  const float* s = element_scores.data();
  const float* m = weight.has_mask() ? weight.mask.data().data() : nullptr;
  for (std::size_t e = 0; e < layout.unit_of.size(); ++e) {
    if (m && m[e] == 0.0f) continue;
    out[layout.unit_of[e]] += s[e];
    ++alive[layout.unit_of[e]];
  }
  if (mean)
    for (std::size_t u = 0; u < layout.units; ++u)
      if (alive[u]) out[u] /= static_cast<double>(alive[u]);
  return out;
}

std::vector<bool> units_alive(const UnitLayout& layout, const Parameter& weight) {
  if (!weight.has_mask()) return std::vector<bool>(layout.units, true);
  std::vector<bool> alive(layout.units, false);
  const float* m = weight.mask.data().data();
  for (std::size_t e = 0; e < layout.unit_of.size(); ++e)
    if (m[e] != 0.0f) alive[layout.unit_of[e]] = true;
  return alive;
}

void clear_units(const UnitLayout& layout, const std::vector<bool>& pruned, Array& mask) {
  float* m = mask.data();
  for (std::size_t e = 0; e < layout.unit_of.size(); ++e)
    if (pruned[layout.unit_of[e]]) m[e] = 0.0f;
}

Array n_m_mask(const Parameter& weight, const Array& scores, int n, int m) {
  const Shape shape = weight.value.shape();
  const std::size_t out = shape[0], in = shape[1], k = weight.value.size() / (out * in);
  Array mask = weight.has_mask() ? Array(weight.mask.data()) : Array(xt::ones<float>(shape));
  float* mk = mask.data();
  const float* s = scores.data();
  std::vector<double> group;
  std::vector<std::size_t> index;
  for (std::size_t o = 0; o < out; ++o)
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t g0 = 0; g0 < in; g0 += m) {
        const std::size_t r = std::min<std::size_t>(m, in - g0);
        group.clear();
        index.clear();
        for (std::size_t i = g0; i < g0 + r; ++i) {
          const std::size_t e = (o * in + i) * k + j;
          index.push_back(e);
          group.push_back(mk[e] == 0.0f ? -INFINITY : static_cast<double>(s[e]));
        }
        const std::size_t keep = std::min<std::size_t>(n, r);
        for (std::size_t q : lowest_k(group, r - keep)) mk[index[q]] = 0.0f;
      }
  return mask;
}

}  // namespace poda
