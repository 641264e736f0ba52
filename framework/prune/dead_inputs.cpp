#include "prune/dead_inputs.h"

namespace poda {

bool entry_masked(const Parameter* p, std::size_t i) {
  return !p || (p->has_mask() && p->mask.data().data()[i] == 0.0f);
}

bool output_unit_removed(const Parameter& weight, const Parameter* bias, const Parameter* bn_gamma,
                         const Parameter* bn_beta, std::size_t unit) {
  if (!weight.has_mask()) return false;
  const std::size_t row = weight.value.size() / weight.value.dim(0);
  const float* m = weight.mask.data().data();
  for (std::size_t e = unit * row; e < (unit + 1) * row; ++e)
    if (m[e] != 0.0f) return false;
  // BatchNorm maps a zero channel to beta - gamma * mean / std: zero only if both are gone.
  return entry_masked(bias, unit) && entry_masked(bn_gamma, unit) && entry_masked(bn_beta, unit);
}

std::vector<bool> dead_output_units(const PruneTarget& t) {
  std::vector<bool> dead(t.out_units(), false);
  for (std::size_t u = 0; u < dead.size(); ++u)
    dead[u] = output_unit_removed(*t.weight, t.bias, t.bn_weight, t.bn_bias, u);
  return dead;
}

void mark_dead_inputs(std::vector<PruneTarget>& targets) {
  for (PruneTarget& t : targets) {
    if (!t.consumer) continue;
    const std::vector<bool> dead = dead_output_units(t);
    bool any = false;
    for (bool d : dead) any = any || d;
    if (!any) continue;
    PruneTarget& c = *t.consumer;
    // The consumer's weight as (out, in_per_group, k); input channel ch sits in group
    // ch / in_per_group, which only the filters of that group read.
    const std::size_t out = c.out_units(), in = c.in_units(), k = c.kernel_size();
    const std::size_t out_per_group = out / c.groups;
    Array mask = c.weight->has_mask() ? Array(c.weight->mask.data())
                                      : Array(xt::ones<float>(c.weight->value.shape()));
    float* m = mask.data();
    for (std::size_t u = 0; u < dead.size(); ++u) {
      if (!dead[u]) continue;
      for (std::size_t ch = u * t.fan_out; ch < (u + 1) * t.fan_out; ++ch) {
        const std::size_t group = ch / in, local = ch % in;
        for (std::size_t o = group * out_per_group; o < (group + 1) * out_per_group; ++o)
          for (std::size_t j = 0; j < k; ++j) m[(o * in + local) * k + j] = 0.0f;
      }
    }
    c.weight->set_mask(std::move(mask));
  }
}

}  // namespace poda
