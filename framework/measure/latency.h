#pragma once
// Measured CPU inference latency of a model: forward passes in evaluation mode without a
// graph, on the kernels the model runs with (dense GEMMs: unstructured zeros cost the same
// as any weight; a speed-up needs sparse kernels or a compacted model).
#include <cstddef>

#include "nn/module.h"

namespace poda {

struct LatencySettings {
  std::size_t batch_size = 1;
  int warmup = 5;
  int repeats = 50;
};

struct Latency {
  double median_ms = 0.0;  // per forward pass of one batch
  double p90_ms = 0.0;
};

Latency measure_latency(Module& model, const Shape& input_shape, const LatencySettings& s);

}  // namespace poda
