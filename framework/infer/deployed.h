#pragma once
// The deployed path of a pruned model: its dead units cut out (measure/compact.h) and each
// layer on whichever of the dense and sparse kernels measured fastest (Dispatch::measured).
// A budget run's budget_achieved and `poda bench`'s "deployed" line both time it here, in
// alternation with the dense plan of the same model, so the two cannot diverge.
#include <memory>
#include <string>

#include "infer/plan.h"
#include "measure/latency.h"
#include "nn/layers/sequential.h"

namespace poda {

// The model compacted when it can be (else as it is; `note` then says why), in a measured
// plan. The plan keeps its own copy of the weights: the compacted model may go.
std::unique_ptr<InferencePlan> deployed_plan(Sequential& model, const Shape& input_shape,
                                             std::string* note = nullptr);

struct DeployedTiming {
  LatencyStats dense;     // masks and BatchNorm folded, dense kernels everywhere
  LatencyStats deployed;  // deployed_plan()
  std::string layers;     // the deployed plan's kernel per layer at this batch size
  std::string note;       // why the model was not compacted, or ""
  double speedup() const { return dense.median_us / deployed.median_us; }
};

// The deployed plan and the dense plan timed in alternation, one pair alone (more plans in
// one alternation evict each other's weights from the caches), at `batch` by `protocol`.
DeployedTiming time_deployed(Sequential& model, const Shape& input_shape, std::size_t batch,
                             const LatencyProtocol& protocol,
                             const LatencyProgress& progress = {});

}  // namespace poda
