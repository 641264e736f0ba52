#include "budget/quantity.h"

#include <algorithm>

#include "infer/measure.h"
#include "measure/compact.h"

namespace poda {

namespace {

// The compacted copy, or nullptr when the model cannot be compacted.
std::shared_ptr<Sequential> compacted_or_null(Sequential& model, const Shape& input_shape) {
  return compact_model(model, input_shape).model;
}

double tensor_bytes(const Parameter& p) {
  const Array& v = p.value.data();
  const std::size_t n = v.size();
  if (v.dimension() < 2) return 4.0 * n;
  const std::size_t rows = v.shape()[0];
  const std::size_t nonzero = count_nonzero_effective(p);
  return std::min(4.0 * n, 6.0 * nonzero + 4.0 * (rows + 1));
}

}  // namespace

std::unique_ptr<InferencePlan> deployed_plan(Sequential& model, const Shape& input_shape) {
  const std::shared_ptr<Sequential> compact = compacted_or_null(model, input_shape);
  return build_plan(compact ? *compact : model, input_shape, Dispatch::measured);
}

double stored_bytes(Sequential& model, const Shape& input_shape) {
  const std::shared_ptr<Sequential> compact = compacted_or_null(model, input_shape);
  Sequential& deployed = compact ? *compact : model;
  double bytes = 0.0;
  for (const auto& [name, p] : deployed.named_parameters()) bytes += tensor_bytes(*p);
  return bytes;
}

double executed_macs(Sequential& model, const Shape& input_shape) {
  const std::shared_ptr<Sequential> compact = compacted_or_null(model, input_shape);
  return static_cast<double>((compact ? *compact : model).effective_macs(input_shape));
}

LatencyProtocol budget_check_protocol() {
  LatencyProtocol p;
  p.warmup_seconds = 0.05;
  p.min_calls = 50;
  p.min_seconds = 0.5;
  p.max_seconds = 3.0;
  return p;
}

BudgetMeasurement measure_budget(Sequential& model, const Shape& input_shape,
                                 const BudgetSpec& budget, const LatencyProtocol& protocol) {
  BudgetMeasurement m;
  switch (budget.kind) {
    case BudgetKind::macs: m.value = executed_macs(model, input_shape); return m;
    case BudgetKind::bytes: m.value = stored_bytes(model, input_shape); return m;
    case BudgetKind::latency_us:
    case BudgetKind::speedup: break;
  }
  const std::unique_ptr<InferencePlan> dense = build_plan(model, input_shape, Dispatch::dense);
  const std::unique_ptr<InferencePlan> deployed = deployed_plan(model, input_shape);
  const std::vector<LatencyStats> stats =
      time_plans({dense.get(), deployed.get()}, input_shape, budget.batch, protocol);
  m.dense_us = stats[0].median_us;
  m.deployed_us = stats[1].median_us;
  m.value = budget.kind == BudgetKind::speedup ? m.dense_us / m.deployed_us : m.deployed_us;
  return m;
}

}  // namespace poda
