// The memory bound of dense batch-1 inference: LeNet-300-100's dense folded plan at batch 1
// against one pass that only reads the same number of fp32 bytes (its 266,610 weights and
// biases, summed in 64 lanes), timed in alternation with the latency protocol, one thread.
// A dense fp32 matrix-vector product cannot take less than reading its weights once (each
// call after the other callable has run, as in the plan comparisons: weights from L2/L3).
// Usage: bench_weight_stream [SECONDS]
#include <cstdio>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "core/random.h"
#include "infer/plan.h"
#include "kernels/sparse_kernels.h"
#include "infer/synthetic.h"
#include "measure/latency.h"

using namespace poda;

namespace {

// Σ w[i] in 64 partial sums (one pass over n floats, n a multiple of 64).
float stream_sum(const std::vector<float>& w) {
  float acc[64] = {};
  for (std::size_t i = 0; i < w.size(); i += 64)
    for (std::size_t j = 0; j < 64; ++j) acc[j] += w[i + j];
  float s = 0.0f;
  for (float a : acc) s += a;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  const Shape input{1, 28, 28};
  auto model = synthetic_model("lenet300_100", input, 1);
  auto plan = build_plan(*model, input, Dispatch::dense);
  const std::size_t bytes = plan->bytes_dense();
  std::vector<float> weights((bytes / sizeof(float) + 63) / 64 * 64);
  Rng rng(3);
  for (float& v : weights) v = rng.normal();
  std::vector<float> x(numel(input));
  for (float& v : x) v = rng.normal();
  plan->prepare(1);
  LatencyProtocol protocol;
  protocol.min_seconds = argc > 1 ? std::stod(argv[1]) : 2.0;
  volatile float sink = 0.0f;
  const auto stats = measure_alternating(
      {[&] { plan->run(x.data(), 1); }, [&] { sink = sink + stream_sum(weights); }}, protocol);
  std::printf("bench_weight_stream: %s kernels, BLAS core %s\n%s", kernel_isa_name(kernel_isa()),
              blas_core_name().c_str(), plan->describe(1).c_str());
  std::printf("LeNet-300-100 dense plan, batch 1: %8.2f us median (%.1f GB/s of weights)\n",
              stats[0].median_us, bytes / stats[0].median_us / 1e3);
  std::printf("reading %zu bytes once:         %8.2f us median (%.1f GB/s)\n",
              weights.size() * sizeof(float), stats[1].median_us,
              weights.size() * sizeof(float) / stats[1].median_us / 1e3);
  std::printf("plan / read-only pass: %.2f\n", stats[0].median_us / stats[1].median_us);
  return 0;
}
