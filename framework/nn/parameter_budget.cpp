#include "nn/parameter_budget.h"

#include <stdexcept>
#include <string>

namespace poda {
namespace {

thread_local ParameterBudget* active_budget = nullptr;

}  // namespace

ParameterBudget::ParameterBudget(std::size_t max_parameters)
    : outer_(active_budget), max_(max_parameters) {
  active_budget = this;
}

ParameterBudget::~ParameterBudget() {
  active_budget = outer_;
}

void charge_parameters(const Shape& shape) {
  ParameterBudget* budget = active_budget;
  if (!budget) return;
  const std::size_t left = budget->max_ - budget->used_;
  std::size_t count = 1;
  for (const std::size_t d : shape) {
    if (d != 0 && count > left / d) {  // count * d > left, decided without overflowing
      throw std::invalid_argument(
          "a parameter of shape " + shape_str(shape) + " takes the model past " +
          std::to_string(budget->max_) + " parameters, the limit for a model (" +
          std::to_string(budget->used_) + " before this layer); is a size mistyped?");
    }
    count *= d;
  }
  budget->used_ += count;
}

}  // namespace poda
