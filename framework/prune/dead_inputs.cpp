#include "prune/dead_inputs.h"

namespace poda {

namespace {
bool masked_at(const Parameter* p, std::size_t u) {
  return p->has_mask() && p->mask.data().data()[u] == 0.0f;
}
}  // namespace

std::vector<bool> dead_output_units(const PruneTarget& t) {
  const std::size_t out = t.out_units(), row = t.weight->value.size() / out;
  std::vector<bool> dead(out, false);
  if (!t.weight->has_mask()) return dead;
  const float* m = t.weight->mask.data().data();
  for (std::size_t u = 0; u < out; ++u) {
    bool zero = true;
    for (std::size_t e = u * row; e < (u + 1) * row && zero; ++e) zero = m[e] == 0.0f;
    if (zero && t.bias) zero = masked_at(t.bias, u);
    // BatchNorm maps a zero channel to beta - gamma * mean / std: zero only if both are gone.
    if (zero && t.bn_weight) zero = masked_at(t.bn_weight, u) && t.bn_bias && masked_at(t.bn_bias, u);
    dead[u] = zero;
  }
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
