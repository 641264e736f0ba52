#pragma once
// What a model costs: parameters (all and non-zero), dense and effective MACs per sample,
// and the size of its weights stored dense or sparse.
#include <cstddef>

#include "nn/module.h"

namespace poda {

struct ModelCost {
  std::size_t params = 0;          // every parameter
  std::size_t nonzero_params = 0;  // non-zero after masking
  std::size_t macs = 0;            // per sample, dense
  std::size_t effective_macs = 0;  // per sample, counting only surviving weights
  std::size_t dense_bytes = 0;     // float32 weights
  std::size_t sparse_bytes = 0;    // CSR-like: value + 32-bit index per non-zero
};

ModelCost model_cost(Module& model, const Shape& input_shape);

}  // namespace poda
