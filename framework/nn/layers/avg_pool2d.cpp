#include "nn/layers/avg_pool2d.h"

#include "core/ops.h"

namespace poda {

Variable AvgPool2d::forward(const Variable& x) {
  return avg_pool2d(x, kernel_, stride_, padding_);
}

namespace {
const LayerTypeRegistrar avgpool2d_type(
    "avgpool2d",
    pool_layer_type<AvgPool2d>("average pooling: kernel, [stride: kernel], [padding: 0]"));
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void AvgPool2d::lower(Lowering& to) {
  to.avg_pool2d(kernel_, stride_, padding_);
}

}  // namespace poda
