// Wanda (Sun et al. 2023): |w_ij| * ||x_j||_2, the weight's magnitude times the L2 norm of the
// input feature (Dense) or channel (Conv) it multiplies, over the calibration batches and
// spatial positions. Pruning by it needs no gradients and no retraining to work well.
//
// `wanda` compares weights per output row, as the paper does (§3, "comparison group"): each
// score becomes its quantile within its row (a Conv filter), (pruned entries of the row +
// rank among the row's kept entries + 0.5) / row length. Any selection of the lowest fraction
// f of a layer then removes the lowest f of every row (within one weight: the layer's count is
// rounded once), and layer or global scope alike give every row the same sparsity. The order
// within a row is unchanged, so N:M masks are the same as the raw scores'. `wanda_layer`
// ranks the raw scores across the whole layer (or model, with global scope).
#include <algorithm>
#include <cmath>
#include <vector>
#include <stdexcept>

#include "prune/criteria/gradients.h"

namespace poda {
namespace {

// Replaces the scores s of `rows` rows of `w` by their quantile within the row (see above).
void wanda_rank_within_rows(const Parameter& w, float* s, std::size_t rows) {
  const std::size_t len = w.value.size() / rows;
  const float* mask = w.has_mask() ? w.mask.data().data() : nullptr;
  std::vector<std::size_t> order(len);
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = s + r * len;
    order.clear();
    std::size_t pruned = 0;  // already pruned entries take the lowest quantiles, in index order
    for (std::size_t i = 0; i < len; ++i) {
      if (mask && mask[r * len + i] == 0.0f)
        row[i] = static_cast<float>((double(pruned++) + 0.5) / double(len));
      else
        order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [row](std::size_t a, std::size_t b) { return row[a] < row[b]; });
    for (std::size_t k = 0; k < order.size(); ++k)
      row[order[k]] = static_cast<float>((double(pruned + k) + 0.5) / double(len));
  }
}

class Wanda : public PreparedScores {
 public:
  explicit Wanda(bool per_row) : per_row_(per_row) {}
  bool supports(Granularity g) const override {
    return g == Granularity::unstructured || g == Granularity::n_m;
  }
  bool needs_activations() const override { return true; }

  void prepare(const std::vector<const PruneTarget*>& targets, CriterionContext& ctx) override {
    scores_.clear();
    for (const PruneTarget* t : targets) {
      auto it = ctx.activations.find(t->name);
      if (it == ctx.activations.end())
        throw std::invalid_argument("criterion 'wanda' has no activations of layer '" + t->name +
                                    "' (it needs data batches)");
      score_weight(*t, it->second.input.l2_norm);
      if (t->bias) score_bias(*t);
    }
  }

 private:
  // weight (out, in / groups, kH, kW): output unit o reads input channel
  // (o / (out / groups)) * (in / groups) + c at position c.
  void score_weight(const PruneTarget& t, const std::vector<double>& input_norm) {
    const std::size_t out = t.out_units(), in_g = t.in_units(), kernel = t.kernel_size();
    if (input_norm.size() != in_g * t.groups)
      throw std::invalid_argument(
          "criterion 'wanda': layer '" + t.name + "' reads " + std::to_string(in_g * t.groups) +
          " inputs but its statistics have " + std::to_string(input_norm.size()));
    float* s = scores_for(t.weight_name, *t.weight).data();
    const float* w = t.weight->value.data().data();
    const std::size_t per_group = out / t.groups;
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t c = 0; c < in_g; ++c) {
        const double norm = input_norm[(o / per_group) * in_g + c];
        for (std::size_t k = 0; k < kernel; ++k) {
          const std::size_t i = (o * in_g + c) * kernel + k;
          s[i] = static_cast<float>(std::fabs(w[i]) * norm);
        }
      }
    if (per_row_) wanda_rank_within_rows(*t.weight, s, out);
  }
  // A bias sees no input: its magnitude (only used with include_bias).
  void score_bias(const PruneTarget& t) {
    float* s = scores_for(t.bias_name, *t.bias).data();
    const float* b = t.bias->value.data().data();
    for (std::size_t i = 0; i < t.bias->value.size(); ++i) s[i] = std::fabs(b[i]);
  }
  bool per_row_;
};

const CriterionRegistrar wanda_registrar(
    "wanda", [] { return std::make_unique<Wanda>(true); },
    "|w| * L2 norm of its input feature/channel over data batches, compared within each "
    "output row (Sun et al. 2023); unstructured, n_m");
const CriterionRegistrar wanda_layer_registrar(
    "wanda_layer", [] { return std::make_unique<Wanda>(false); },
    "wanda's |w| * input L2 norm compared across the whole layer (or model, scope global) "
    "instead of per row; unstructured, n_m");

}  // namespace
}  // namespace poda
