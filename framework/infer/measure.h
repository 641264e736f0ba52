#pragma once
// The inference measurement of one trained model, behind one function: three paths of the
// same model timed in alternation (measure/latency.h's protocol) at each batch size, and
// their sizes.
//   dense    masks and BatchNorm folded, dense kernels everywhere;
//   sparse   the same plan with each layer on the kernel that measured clearly faster (plan.h);
//   compact  compact_model()'s copy without dead units (measure/compact.h), dense kernels.
// The values carry the names runs.csv uses: latency_b<B>_us_<path> (median, µs per batch),
// latency_b<B>_p90_us_<path>, bytes_<path>.
#include <string>
#include <vector>

#include "infer/int8_ops.h"
#include "measure/latency.h"
#include "nn/layers/sequential.h"

namespace poda {

class InferencePlan;

struct InferenceMeasureSettings {
  std::vector<std::size_t> batch_sizes{1, 64};
  LatencyProtocol protocol;
};

struct NamedValue {
  std::string name;
  double value;  // NaN: not measured (the model cannot be compacted)
};

struct InferenceMeasurement {
  std::vector<NamedValue> values;               // in column order
  int threads = 1;                              // BLAS threads the dense kernels ran with
  std::string compact_note;                     // why there is no compacted path, or ""
  std::vector<std::string> layer_log;           // per batch size: each layer's kernel and why
  double value(const std::string& name) const;  // NaN when absent
};

// Latency of each plan at one batch size, timed in alternation on one seeded random input
// (B, input...); each plan is prepared first (a measured plan times its layers there).
std::vector<LatencyStats> time_plans(const std::vector<InferencePlan*>& plans,
                                     const Shape& input_shape, std::size_t batch,
                                     const LatencyProtocol& protocol,
                                     const LatencyProgress& progress = {});

// A line saying how far the timing is ("timing latency: batch 64 (2/2) 40%"), for a
// terminal's status line.
using MeasureProgress = std::function<void(const std::string& line)>;

InferenceMeasurement measure_inference(Sequential& model, const Shape& input_shape,
                                       const InferenceMeasureSettings& settings,
                                       const MeasureProgress& progress = {});

// The int8 path of a quantized model: the layers named in `int8` on the int8 kernels, each
// Dense on the int8 sparse GEMM where it measured clearly faster (Dispatch::measured),
// timed by the same protocol, alternating with the fp32 dense plan of the same model.
// values: latency_b<B>_us_int8 per batch size; layer_log: each layer's kernel.
InferenceMeasurement measure_int8_inference(Sequential& model, const Shape& input_shape,
                                            const InferenceMeasureSettings& settings,
                                            const Int8Inputs& int8,
                                            const MeasureProgress& progress = {});

}  // namespace poda
