#include "prune/gradient_accumulator.h"

namespace poda {

GradientAccumulator::GradientAccumulator(Module& model) : params_(model.named_parameters()) {}

void GradientAccumulator::accumulate() {
  for (auto& [name, p] : params_) {
    if (!p->value.has_grad()) continue;
    auto it = sums_.find(name);
    if (it == sums_.end()) it = sums_.emplace(name, zeros_array(p->value.shape())).first;
    float* s = it->second.data();
    const float* g = p->value.grad().data();
    for (std::size_t i = 0, n = p->value.size(); i < n; ++i) s[i] += g[i];
  }
  ++steps_;
}

void GradientAccumulator::reset() {
  sums_.clear();
  steps_ = 0;
}

const Array* GradientAccumulator::sum(const std::string& name) const {
  auto it = sums_.find(name);
  return it == sums_.end() ? nullptr : &it->second;
}

}  // namespace poda
