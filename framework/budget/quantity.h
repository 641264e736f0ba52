#pragma once
// The quantity a budget holds, measured on a model as it would be deployed: its dead units cut
// out (measure/compact.h) and each layer on whichever kernel measured fastest (a measured
// inference plan, infer/deployed.h). The search, the final check and `poda bench` use these
// same functions, so the figure reported is the figure searched for and the one re-measured.
#include <memory>
#include <vector>

#include "infer/deployed.h"
#include "measure/latency.h"
#include "nn/layers/sequential.h"
#include "prune/budget_spec.h"

namespace poda {

// Bytes of the deployed weights: each weight tensor dense fp32 or as CSR (values, 16-bit
// columns, row pointers), whichever is smaller; biases and BatchNorm parameters dense.
double stored_bytes(Sequential& model, const Shape& input_shape);

// MACs per sample the deployed model executes: the compacted model's non-zero weights.
double executed_macs(Sequential& model, const Shape& input_shape);

struct BudgetMeasurement {
  double value = 0.0;  // in the budget's unit: µs, times faster, MACs or bytes
  double deployed_us = 0.0, dense_us = 0.0;  // latency kinds: the two plans' medians
};

// How a timed budget is read: several readings (each: both plans built afresh and timed in
// alternation by the protocol), keeping the one whose deployed plan ran fastest. Why (issue
// 23, bench/bench_budget_protocols): this shared virtual machine passes through spells of
// seconds in which a short plan costs ~0.5-0.9 us more per call (in some of them an empty
// call costs 0.45 us instead of 0.003 us, and a clock reading 0.48 us instead of 0.025 us;
// under heavier load, spells without that sign). A 10-20 us dense plan hardly notices; a
// compacted plan of ~1 us does: the same two plans, kernels unchanged, read 1.13 / 11.1 us
// (9.8x), then 1.75 / 11.1 us (6.3x) moments later, by the check's protocol and by the final
// one alike. That is how a final choice read a candidate 10.2x and the run's check 4.75x
// (results/README.md section 8a): alternation cancels a slowdown in proportion, not this one.
// The fastest reading is the least disturbed; a spell can still outlast all of them, so at
// ~1 us plans on a busy machine the choice and the check may still disagree.
// A search's many checks ask kSearchReadings; a final choice's candidates, the run's final
// check and `poda bench`'s deployed line ask kFinalReadings with the run's final protocol, so
// the choice and the check measure alike.
constexpr int kSearchReadings = 2;
constexpr int kFinalReadings = 3;

// The fastest of `readings` readings of time_deployed() (infer/deployed.h); every reading's
// deployed median is appended to `each` when given.
DeployedTiming fastest_deployed(Sequential& model, const Shape& input_shape, std::size_t batch,
                                const LatencyProtocol& protocol, int readings,
                                std::vector<double>* each = nullptr);

// The budget's quantity for `model`. Latency and speedup time the deployed plan in
// alternation with the dense plan of the same model (its masks folded, dense kernels),
// by `protocol`, at the budget's batch size, the fastest of `readings` readings (above); the
// speedup is the ratio of that reading's medians.
BudgetMeasurement measure_budget(Sequential& model, const Shape& input_shape,
                                 const BudgetSpec& budget, const LatencyProtocol& protocol,
                                 int readings = kSearchReadings);

// What a search aims at so that the final, separately timed measurement still meets `budget`:
// a measured kind tightened by `margin` (a speedup times 1 + margin, a latency times
// 1 - margin), since a search's short timings on a busy machine read faster or slower than the
// final protocol's; a counted kind (MACs, bytes) is exact and unchanged.
double tightened_budget(const BudgetSpec& budget, double margin);

// The margin every search and baseline aims beyond a timed budget by (the final check is not).
// Measured: a 4x LeNet-5 NetAdapt search read 4.0x on its short timings and its final
// protocol 3.58x; a 4x LeNet-300-100 lookup-table answer 4.0x and then 3.07x (loaded machine).
constexpr double kSearchLatencyMargin = 0.1;

// A protocol shorter than a run's final one, for a search's many timings: at least
// `min_calls` calls over `min_seconds`, at most `max_seconds`, after min_seconds / 8 warm-up.
LatencyProtocol short_protocol(double min_seconds, std::size_t min_calls, double max_seconds);

// The protocol a search checks a whole candidate model with.
LatencyProtocol budget_check_protocol();

}  // namespace poda
