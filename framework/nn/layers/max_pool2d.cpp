#include "nn/layers/max_pool2d.h"

#include "core/ops.h"

namespace poda {

Variable MaxPool2d::forward(const Variable& x) {
  return max_pool2d(x, kernel_, stride_, padding_);
}

namespace {
const LayerTypeRegistrar maxpool2d_type(
    "maxpool2d", pool_layer_type<MaxPool2d>("max pooling: kernel, [stride: kernel], [padding: 0]"));
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void MaxPool2d::lower(Lowering& to) {
  to.max_pool2d(kernel_, stride_, padding_);
}

}  // namespace poda
