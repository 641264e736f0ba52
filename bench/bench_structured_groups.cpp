// Filter pruning by dependency groups, realised: ResNet-20 (projection shortcuts: the channels
// tied across residual adds go as one group) and VGG-16 (BatchNorm, the VGG-style net) with
// 25/50/75% of every group's filters removed (L1 norm, layer scope, random weights: speed does
// not depend on what the weights learnt), compacted, against the dense model. Reports the
// reduction in multiply-accumulates and in parameters and the latency of the compacted plan
// against the dense plan, one thread, the two timed in alternation in one run (medians; the
// machine may be shared, so only the ratios mean something).
// Usage: bench_structured_groups [SECONDS_PER_POINT]
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "infer/plan.h"
#include "infer/synthetic.h"
#include "measure/compact.h"
#include "infer/measure.h"
#include "measure/latency.h"
#include "prune/pruner.h"

using namespace poda;

namespace {

struct BenchModel {
  const char* zoo;
  const char* label;
};

const BenchModel models[] = {{"resnet20", "ResNet-20"}, {"vgg16", "VGG-16"}};
const Shape input{3, 32, 32};
const std::size_t batches[] = {1, 8};

void prune_groups(Module& model, double sparsity) {
  PruneSettings s;
  s.criterion = "l1_norm";
  s.granularity.kind = Granularity::filter;
  s.scope = Scope::layer;
  s.sparsity = sparsity;
  CriterionContext ctx;
  prune(model, s, sparsity, ctx);
}

void sweep(const BenchModel& m, const LatencyProtocol& protocol) {
  for (double s : {0.25, 0.5, 0.75}) {
    auto model = synthetic_model(m.zoo, input, 1);
    model->eval();
    const std::size_t dense_params = model->parameter_count();
    prune_groups(*model, s);
    const CompactResult compact = compact_model(*model, input);
    if (!compact.model) throw std::runtime_error(m.label + std::string(": ") + compact.reason);
    auto dense = build_plan(*model, input, Dispatch::dense);
    auto small = build_plan(*compact.model, input, Dispatch::dense);
    std::printf("%-10s %2.0f%% filters  MACs %6.1fM -> %6.1fM (/%4.2f)  params %7.0fk -> %7.0fk",
                m.label, s * 100, dense->macs() / 1e6, small->macs() / 1e6,
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
  for (const BenchModel& m : models) sweep(m, protocol);
  return 0;
}
