#include "nn/layers/activation.h"

#include "core/ops.h"

namespace poda {

Variable ReLU::forward(const Variable& x) { return relu(x); }
Variable Tanh::forward(const Variable& x) { return poda::tanh(x); }
Variable Sigmoid::forward(const Variable& x) { return sigmoid(x); }
Variable Flatten::forward(const Variable& x) { return flatten(x); }

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void ReLU::lower(Lowering& to) { to.relu(); }
void Tanh::lower(Lowering& to) { to.tanh(); }
void Sigmoid::lower(Lowering& to) { to.sigmoid(); }
void Flatten::lower(Lowering& to) { to.flatten(); }

}  // namespace poda
