#include "nn/lowering.h"

#include <stdexcept>

#include "nn/module.h"

namespace poda {

std::string Lowering::layer_name() const {
  std::string name;
  for (const std::string& n : names_) name += (name.empty() ? "" : ".") + n;
  return name;
}

Array folded_value(const Parameter& p) {
  if (!p.has_mask()) return p.value.data();
  return p.value.data() * p.mask.data();
}

void Module::lower(Lowering& to) {
  throw std::invalid_argument("layer '" + to.layer_name() + "' (" + type_name() +
                              ") has no inference lowering");
}

}  // namespace poda
