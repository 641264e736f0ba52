// Wanda (Sun et al. 2023): |w_ij| * ||x_j||_2, the weight's magnitude times the L2 norm of the
// input feature (Dense) or channel (Conv) it multiplies, over the calibration batches and
// spatial positions. Pruning by it needs no gradients and no retraining to work well.
#include <cmath>
#include <stdexcept>

#include "prune/criteria/gradients.h"

namespace poda {
namespace {

class Wanda : public PreparedScores {
 public:
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
  }
  // A bias sees no input: its magnitude (only used with include_bias).
  void score_bias(const PruneTarget& t) {
    float* s = scores_for(t.bias_name, *t.bias).data();
    const float* b = t.bias->value.data().data();
    for (std::size_t i = 0; i < t.bias->value.size(); ++i) s[i] = std::fabs(b[i]);
  }
};

const CriterionRegistrar wanda_registrar(
    "wanda", [] { return std::make_unique<Wanda>(); },
    "|w| * L2 norm of its input feature/channel over data batches "
    "(Sun et al. 2023); unstructured, n_m");

}  // namespace
}  // namespace poda
