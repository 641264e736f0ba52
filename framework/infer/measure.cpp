#include "infer/measure.h"

#include <cmath>
#include <functional>
#include <limits>

#include "core/blas_runtime.h"
#include "core/random.h"
#include "infer/plan.h"
#include "measure/compact.h"

namespace poda {
namespace {

const char* const path_names[3] = {"dense", "sparse", "compact"};

std::string latency_column(std::size_t batch, const char* stat, const char* path) {
  return "latency_b" + std::to_string(batch) + "_" + stat + "_" + path;
}

std::string choice_log(InferencePlan& plan, std::size_t batch) {
  return "batch " + std::to_string(batch) + ":\n" + plan.describe(batch);
}

// The protocol's progress at batch size number k of `batches` as a MeasureProgress line.
LatencyProgress batch_progress(const MeasureProgress& progress, const char* what, std::size_t batch,
                               std::size_t k, std::size_t batches) {
  if (!progress) return {};
  return [=](double fraction) {
    progress(std::string("timing ") + what + " latency: batch " + std::to_string(batch) + " (" +
             std::to_string(k + 1) + "/" + std::to_string(batches) + ") " +
             std::to_string(static_cast<int>(100 * fraction)) + "%");
  };
}

}  // namespace

std::vector<LatencyStats> time_plans(const std::vector<InferencePlan*>& plans,
                                     const Shape& input_shape, std::size_t batch,
                                     const LatencyProtocol& protocol,
                                     const LatencyProgress& progress) {
  Array x = empty_array({batch * numel(input_shape)});  // (B, input...)
  Rng rng(1);
  for (float& v : x) v = rng.normal();
  std::vector<std::function<void()>> calls;
  for (InferencePlan* plan : plans) {
    plan->prepare(batch);
    calls.push_back([plan, &x, batch] { plan->run(x.data(), batch); });
  }
  return measure_alternating(calls, protocol, progress);
}

double InferenceMeasurement::value(const std::string& name) const {
  for (const NamedValue& v : values)
    if (v.name == name) return v.value;
  return std::numeric_limits<double>::quiet_NaN();
}

InferenceMeasurement measure_inference(Sequential& model, const Shape& input_shape,
                                       const InferenceMeasureSettings& settings,
                                       const MeasureProgress& progress) {
  InferenceMeasurement m;
  m.threads = blas_threads();
  std::unique_ptr<InferencePlan> plans[3];
  plans[0] = build_plan(model, input_shape, Dispatch::dense);
  plans[1] = build_plan(model, input_shape, Dispatch::measured);
  const CompactResult compact = compact_model(model, input_shape);
  if (compact.model)
    plans[2] = build_plan(*compact.model, input_shape, Dispatch::dense);
  else
    m.compact_note = compact.reason;

  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<NamedValue> medians, p90s;
  const std::vector<std::size_t>& sizes = settings.batch_sizes;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const std::size_t batch = sizes[k];
    std::vector<InferencePlan*> timed_plans;
    for (auto& plan : plans)
      if (plan) timed_plans.push_back(plan.get());
    const std::vector<LatencyStats> stats =
        time_plans(timed_plans, input_shape, batch, settings.protocol,
                   batch_progress(progress, "fp32", batch, k, sizes.size()));
    for (std::size_t p = 0; p < 3; ++p) {
      const bool timed = p < stats.size() && (p < 2 || plans[2]);
      medians.push_back(
          {latency_column(batch, "us", path_names[p]), timed ? stats[p].median_us : nan});
      p90s.push_back(
          {latency_column(batch, "p90_us", path_names[p]), timed ? stats[p].p90_us : nan});
    }
    m.layer_log.push_back(choice_log(*plans[1], batch));
  }
  m.values = medians;
  m.values.insert(m.values.end(), p90s.begin(), p90s.end());
  m.values.push_back({"bytes_dense", double(plans[0]->bytes_dense())});
  m.values.push_back({"bytes_sparse", double(plans[1]->bytes_sparse())});
  m.values.push_back({"bytes_compact", plans[2] ? double(plans[2]->bytes_dense()) : nan});
  return m;
}

InferenceMeasurement measure_int8_inference(Sequential& model, const Shape& input_shape,
                                            const InferenceMeasureSettings& settings,
                                            const Int8Inputs& int8,
                                            const MeasureProgress& progress) {
  InferenceMeasurement m;
  m.threads = blas_threads();
  std::unique_ptr<InferencePlan> fp32 = build_plan(model, input_shape, Dispatch::dense);
  std::unique_ptr<InferencePlan> plan = build_plan(model, input_shape, Dispatch::measured, int8);
  const std::vector<std::size_t>& sizes = settings.batch_sizes;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const std::size_t batch = sizes[k];
    // The int8 plan's preparation times the int8 dense and sparse GEMMs of each layer.
    const std::vector<LatencyStats> stats =
        time_plans({fp32.get(), plan.get()}, input_shape, batch, settings.protocol,
                   batch_progress(progress, "int8", batch, k, sizes.size()));
    m.values.push_back({latency_column(batch, "us", "int8"), stats[1].median_us});
    m.layer_log.push_back(choice_log(*plan, batch));
  }
  return m;
}

}  // namespace poda
