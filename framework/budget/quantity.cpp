#include "budget/quantity.h"

#include <algorithm>

#include "infer/deployed.h"
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

double tightened_budget(const BudgetSpec& budget, double margin) {
  switch (budget.kind) {
    case BudgetKind::speedup: return budget.value * (1.0 + margin);
    case BudgetKind::latency_us: return budget.value * (1.0 - margin);
    case BudgetKind::macs:
    case BudgetKind::bytes: break;
  }
  return budget.value;
}

LatencyProtocol short_protocol(double min_seconds, std::size_t min_calls, double max_seconds) {
  LatencyProtocol p;
  p.warmup_seconds = min_seconds / 8;
  p.min_calls = min_calls;
  p.min_seconds = min_seconds;
  p.max_seconds = max_seconds;
  return p;
}

LatencyProtocol budget_check_protocol() { return short_protocol(0.5, 50, 3.0); }

DeployedTiming fastest_deployed(Sequential& model, const Shape& input_shape, std::size_t batch,
                                const LatencyProtocol& protocol, int readings,
                                std::vector<double>* each) {
  DeployedTiming best;
  for (int r = 0; r < std::max(1, readings); ++r) {
    DeployedTiming t = time_deployed(model, input_shape, batch, protocol);
    if (each) each->push_back(t.deployed.median_us);
    if (r == 0 || t.deployed.median_us < best.deployed.median_us) best = std::move(t);
  }
  return best;
}

BudgetMeasurement measure_budget(Sequential& model, const Shape& input_shape,
                                 const BudgetSpec& budget, const LatencyProtocol& protocol,
                                 int readings) {
  BudgetMeasurement m;
  switch (budget.kind) {
    case BudgetKind::macs: m.value = executed_macs(model, input_shape); return m;
    case BudgetKind::bytes: m.value = stored_bytes(model, input_shape); return m;
    case BudgetKind::latency_us:
    case BudgetKind::speedup: break;
  }
  const DeployedTiming t = fastest_deployed(model, input_shape, budget.batch, protocol, readings);
  m.dense_us = t.dense.median_us;
  m.deployed_us = t.deployed.median_us;
  m.value = budget.kind == BudgetKind::speedup ? t.speedup() : m.deployed_us;
  return m;
}

}  // namespace poda
