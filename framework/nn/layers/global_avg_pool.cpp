#include "nn/layers/global_avg_pool.h"

#include "core/ops.h"
#include "nn/layer_spec.h"

namespace poda {

Variable GlobalAvgPool::forward(const Variable& x) {
  return global_avg_pool(x);
}

Shape GlobalAvgPool::output_shape(const Shape& input) const {
  if (input.size() != 3)
    throw ShapeError("GlobalAvgPool expects input (C, H, W) but gets " + shape_str(input));
  return {input[0]};
}

namespace {
const LayerTypeRegistrar global_avgpool_type("global_avgpool",
                                             {{},
                                              [](const LayerSpec&, const Shape&,
                                                 BuildContext&) -> ModulePtr {
                                                return std::make_shared<GlobalAvgPool>();
                                              },
                                              "(C, H, W) -> (C), the mean of each channel"});
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void GlobalAvgPool::lower(Lowering& to) {
  to.global_avg_pool();
}

}  // namespace poda
