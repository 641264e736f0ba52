// LAMP (Lee et al. 2021): within each layer, sort the weights by w^2 ascending; the score of
// weight u is w^2(u) / sum_{v >= u} w^2(v) (itself and every larger one). Scores are
// comparable across layers, so a global ranking gives layer-adaptive sparsities, and the
// largest weight of every layer scores 1, so no layer is pruned away entirely.
#include <algorithm>
#include <numeric>

#include "prune/criterion.h"

namespace poda {
namespace {

class Lamp : public Criterion {
 public:
  bool supports(Granularity g) const override { return g == Granularity::unstructured; }
  Array score_weights(const std::string&, const Parameter& p,
                      const CriterionContext&) const override {
    const std::size_t n = p.value.size();
    const float* w = p.value.data().data();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return w[a] * w[a] < w[b] * w[b]; });
    Array s = empty_array(p.value.shape());
    double suffix = 0.0;  // sum of w^2 from position q to the end of the sorted order
    for (std::size_t q = n; q-- > 0;) {
      const double sq = static_cast<double>(w[order[q]]) * w[order[q]];
      suffix += sq;
      s.data()[order[q]] = suffix > 0.0 ? static_cast<float>(sq / suffix) : 0.0f;
    }
    return s;
  }
};

const CriterionRegistrar lamp_registrar(
    "lamp", [] { return std::make_unique<Lamp>(); },
    "layer-adaptive magnitude (use with global scope); unstructured");

}  // namespace
}  // namespace poda
