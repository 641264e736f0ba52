#pragma once
// The quantity a budget holds, measured on a model as it would be deployed: its dead units cut
// out (measure/compact.h) and each layer on whichever kernel measured fastest (a measured
// inference plan, infer/plan.h). The search and the final check use these same functions,
// so the figure reported is the figure searched for.
#include <memory>

#include "infer/plan.h"
#include "measure/latency.h"
#include "nn/layers/sequential.h"
#include "prune/budget_spec.h"

namespace poda {

// The model compacted when it can be (else as it is), in a measured plan.
std::unique_ptr<InferencePlan> deployed_plan(Sequential& model, const Shape& input_shape);

// Bytes of the deployed weights: each weight tensor dense fp32 or as CSR (values, 16-bit
// columns, row pointers), whichever is smaller; biases and BatchNorm parameters dense.
double stored_bytes(Sequential& model, const Shape& input_shape);

// MACs per sample the deployed model executes: the compacted model's non-zero weights.
double executed_macs(Sequential& model, const Shape& input_shape);

struct BudgetMeasurement {
  double value = 0.0;  // in the budget's unit: µs, times faster, MACs or bytes
  double deployed_us = 0.0, dense_us = 0.0;  // latency kinds: the two plans' medians
};

// The budget's quantity for `model`. Latency and speedup time the deployed plan in
// alternation with the dense plan of the same model (its masks folded, dense kernels),
// by `protocol`, at the budget's batch size; the speedup is their ratio.
BudgetMeasurement measure_budget(Sequential& model, const Shape& input_shape,
                                 const BudgetSpec& budget, const LatencyProtocol& protocol);

// The protocol a search checks a whole candidate model with: shorter than a run's final one.
LatencyProtocol budget_check_protocol();

}  // namespace poda
