#include "prune/schedules/weight_snapshot.h"

#include <stdexcept>

#include "core/random.h"

namespace poda {

WeightSnapshot WeightSnapshot::capture(Module& model) {
  WeightSnapshot s;
  for (auto& [name, p] : model.named_parameters()) s.values_.emplace_back(name, p->value.data());
  return s;
}

const Array* WeightSnapshot::find(const std::string& name) const {
  for (const auto& [n, v] : values_)
    if (n == name) return &v;
  return nullptr;
}

void WeightSnapshot::restore(Module& model) const {
  for (auto& [name, p] : model.named_parameters()) {
    const Array* saved = find(name);
    if (!saved) throw std::invalid_argument("weight snapshot has no parameter '" + name + "'");
    if (saved->shape() != p->value.data().shape())
      throw std::invalid_argument("weight snapshot holds " + name + " as " +
                                  shape_str(to_shape(saved->shape())) + ", the model as " +
                                  shape_str(p->value.shape()));
    p->value.data() = *saved;
    p->apply_mask();
  }
}

WeightSnapshot WeightSnapshot::shuffled(std::uint64_t seed) const {
  WeightSnapshot s = *this;
  Rng rng(seed);
  for (auto& [name, v] : s.values_) {
    float* d = v.data();
    for (std::size_t i = v.size(); i-- > 1;) std::swap(d[i], d[rng.below(i + 1)]);
  }
  return s;
}

}  // namespace poda
