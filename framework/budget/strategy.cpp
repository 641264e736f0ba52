#include "budget/strategy.h"

#include <stdexcept>

#include "core/registry.h"

namespace poda {

namespace {
Registry<BudgetStrategyType>& registry() {
  static Registry<BudgetStrategyType> r("budget strategy");
  return r;
}
}  // namespace

void register_budget_strategy(const std::string& name, BudgetStrategyType type) {
  registry().add(name, std::move(type));
}

const BudgetStrategyType* find_budget_strategy(const std::string& name) {
  return registry().find(name);
}

std::vector<std::string> budget_strategy_names() {
  return registry().names();
}

std::unique_ptr<BudgetStrategy> make_budget_strategy(const std::string& name) {
  const BudgetStrategyType* type = find_budget_strategy(name);
  if (!type)
    throw std::invalid_argument("unknown budget strategy '" + name + "' (expected one of: " +
                                join_names(budget_strategy_names()) + ")");
  return type->make();
}

}  // namespace poda
