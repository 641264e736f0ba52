// Head pruning realised: vit_tiny (random weights: speed does not depend on what the weights
// learnt) with 25% and 50% of every block's attention heads removed (magnitude, layer scope),
// compacted into attention layers of fewer heads, against the dense plan. Reports the MACs,
// the parameters, the share of the dense plan's time spent in its attention steps at batch 64
// (what removing heads can save at most), and the latency of both plans, one thread, timed in
// alternation in one run (medians; the machine may be shared, so only the ratios mean
// something).
// Usage: bench_vit_heads [SECONDS_PER_POINT]
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/blas_runtime.h"
#include "infer/measure.h"
#include "infer/plan.h"
#include "infer/synthetic.h"
#include "measure/compact.h"
#include "measure/latency.h"

using namespace poda;

namespace {

const Shape input{1, 28, 28};
const std::size_t batches[] = {1, 64};

// The share of the profiled time spent in steps whose description names `what`.
double share_of(const std::string& profile, const std::string& what) {
  std::istringstream lines(profile);
  std::string line;
  double part = 0.0, total = 0.0;
  while (std::getline(lines, line)) {
    const std::size_t us = line.rfind(" us");
    if (us == std::string::npos || line.find("sum of step medians") != std::string::npos) continue;
    const double t = std::atof(line.substr(line.rfind(' ', us - 1) + 1).c_str());
    total += t;
    if (line.find(what) != std::string::npos) part += t;
  }
  return total > 0.0 ? part / total : 0.0;
}

void attention_share() {
  auto model = synthetic_model("vit_tiny", input, 1);
  auto plan = build_plan(*model, input, Dispatch::dense);
  const std::string profile = plan->profile(64, 30);
  std::printf("dense vit_tiny plan at batch 64, per step:\n%s", profile.c_str());
  std::printf("attention share of the dense plan's time at batch 64: %.1f%%\n\n",
              100.0 * share_of(profile, "MultiHeadSelfAttention"));
}

void sweep(const LatencyProtocol& protocol) {
  for (double s : {0.25, 0.5}) {
    auto model = synthetic_model("vit_tiny", input, 1);
    const std::size_t dense_params = model->parameter_count();
    prune_synthetic(*model, "magnitude", "head", s, 1);
    const CompactResult compact = compact_model(*model, input);
    if (!compact.model) throw std::runtime_error("vit_tiny: " + compact.reason);
    auto dense = build_plan(*model, input, Dispatch::dense);
    auto small = build_plan(*compact.model, input, Dispatch::dense);
    std::printf("vit_tiny %2.0f%% heads  MACs %5.2fM -> %5.2fM (/%4.2f)  params %5.1fk -> %5.1fk",
                s * 100, dense->macs() / 1e6, small->macs() / 1e6,
                double(dense->macs()) / double(small->macs()), dense_params / 1e3,
                compact.model->parameter_count() / 1e3);
    for (std::size_t b : batches) {
      const auto t = time_plans({dense.get(), small.get()}, input, b, protocol);
      const double d = t[0].median_us, c = t[1].median_us;
      std::printf("  b%zu %8.1f -> %8.1f us (%4.2fx)", b, d, c, d / c);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  LatencyProtocol protocol;
  protocol.min_calls = 20;
  protocol.min_seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  protocol.max_seconds = 4.0 * protocol.min_seconds;
  attention_share();
  sweep(protocol);
  return 0;
}
