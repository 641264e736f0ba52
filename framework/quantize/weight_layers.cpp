#include "quantize/weight_layers.h"

namespace poda {

void for_each_weight_layer(
    Module& model, const std::function<void(const std::string&, Parameter&, std::size_t)>& f) {
  for (const auto& [name, m] : model.named_modules()) {
    if (m->channel_flow() != Module::ChannelFlow::transforms) continue;
    Parameter* weight = nullptr;
    std::size_t others = 0;
    for (auto& [pname, p] : m->named_parameters()) {
      if (pname == "weight")
        weight = p;
      else
        others += p->value.size();
    }
    if (weight) f(name, *weight, others);
  }
}

}  // namespace poda
