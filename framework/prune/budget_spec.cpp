#include "prune/budget_spec.h"

#include <string>

namespace poda {

std::string BudgetSpec::key() const {
  switch (kind) {
    case BudgetKind::latency_us: return "latency_b" + std::to_string(batch) + "_us";
    case BudgetKind::speedup: return "speedup";
    case BudgetKind::macs: return "macs";
    case BudgetKind::bytes: return "bytes";
  }
  return "";
}

std::string BudgetSpec::label() const {
  return kind == BudgetKind::speedup ? "speedup_b" + std::to_string(batch) : key();
}

bool BudgetSpec::met_by(double achieved) const {
  return kind == BudgetKind::speedup ? achieved >= value : achieved <= value;
}

std::vector<std::string> budget_form_names() {
  return {"unstructured", "neuron", "filter", "channel", "n_m", "block"};
}

std::vector<std::string> budget_quant_form_names() { return {"int8", "kmeans"}; }

std::size_t latency_key_batch(const std::string& key) {
  const std::string head = "latency_b", tail = "_us";
  if (key.size() <= head.size() + tail.size() || key.compare(0, head.size(), head) != 0 ||
      key.compare(key.size() - tail.size(), tail.size(), tail) != 0)
    return 0;
  const std::string digits = key.substr(head.size(), key.size() - head.size() - tail.size());
  if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return static_cast<std::size_t>(std::stoul(digits));
}

}  // namespace poda
