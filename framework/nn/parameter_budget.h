#pragma once
// A limit on the parameters a model may have, checked from each tensor's shape before it
// is allocated. Config validation builds the model once to check its shapes; within a
// ParameterBudget, a layer such as `{type: dense, out: 3000000}` (2.4 billion weights)
// fails with std::invalid_argument, which build_model reports with the layer and its
// file:line:col, instead of allocating gigabytes or dying of std::bad_alloc.
#include <cstddef>

#include "core/tensor.h"

namespace poda {

class ParameterBudget {
 public:
  // Active on this thread until destroyed; budgets do not nest (the inner one wins).
  explicit ParameterBudget(std::size_t max_parameters);
  ~ParameterBudget();
  ParameterBudget(const ParameterBudget&) = delete;
  ParameterBudget& operator=(const ParameterBudget&) = delete;

 private:
  ParameterBudget* outer_;
  std::size_t max_, used_ = 0;
  friend void charge_parameters(const Shape& shape);
};

// Counts a tensor of `shape` against the active budget (if any); throws
// std::invalid_argument when it would exceed it (or its size overflows std::size_t).
void charge_parameters(const Shape& shape);

}  // namespace poda
