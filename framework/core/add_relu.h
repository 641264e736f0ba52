#pragma once
// relu(add(a, b)) for equal shapes as one op, one pass over the activations each way: a
// residual block's sum and the ReLU after it (nn/layers/residual.h fuses the pair).
#include "core/variable.h"

namespace poda {

Variable add_relu(const Variable& a, const Variable& b);

}  // namespace poda
