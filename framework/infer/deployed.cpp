#include "infer/deployed.h"

#include "infer/measure.h"
#include "measure/compact.h"

namespace poda {

std::unique_ptr<InferencePlan> deployed_plan(Sequential& model, const Shape& input_shape,
                                             std::string* note) {
  const CompactResult compact = compact_model(model, input_shape);
  if (note) *note = compact.model ? "" : compact.reason;
  return build_plan(compact.model ? *compact.model : model, input_shape, Dispatch::measured);
}

DeployedTiming time_deployed(Sequential& model, const Shape& input_shape, std::size_t batch,
                             const LatencyProtocol& protocol, const LatencyProgress& progress) {
  const std::unique_ptr<InferencePlan> dense = build_plan(model, input_shape, Dispatch::dense);
  DeployedTiming t;
  const std::unique_ptr<InferencePlan> deployed = deployed_plan(model, input_shape, &t.note);
  const std::vector<LatencyStats> stats =
      time_plans({dense.get(), deployed.get()}, input_shape, batch, protocol, progress);
  t.dense = stats[0];
  t.deployed = stats[1];
  t.layers = deployed->describe(batch);
  return t;
}

}  // namespace poda
