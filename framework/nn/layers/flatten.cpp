#include "nn/layers/flatten.h"

#include "core/ops.h"
#include "nn/layer_spec.h"

namespace poda {

Variable Flatten::forward(const Variable& x) {
  return flatten(x);
}

namespace {
const LayerTypeRegistrar flatten_type("flatten", {{},
                                                  [](const LayerSpec&, const Shape&,
                                                     BuildContext&) -> ModulePtr {
                                                    return std::make_shared<Flatten>();
                                                  },
                                                  "(C, H, W) -> (C*H*W)"});
}  // namespace

// ---- inference lowering (nn/lowering.h) ----
void Flatten::lower(Lowering& to) {
  to.flatten();
}

}  // namespace poda
