// Issue 23: why a budget candidate read 10.2x in the final choice's check and 4.75x in the
// run's final protocol moments later. LeNet-300-100 pruned as a budget's 8x answer is (random
// weights, magnitude masks: the speed depends on where the zeros are, not on what they learnt),
// its deployed plan timed against its dense plan (infer/deployed.h) in rounds. Each round
// separates the two suspects:
//   same plans   one pair of plans built once, timed by the check's protocol, the final
//                protocol, then the check's again: what the protocol alone changes;
//   fresh plans  time_deployed() called afresh by each protocol, as the choice and the final
//                check do: the plans are built again, so each layer's kernel is chosen again.
// Printed per round: the speed-ups and each deployed layer's kernel ("s" sparse, "g" GEMM,
// "d" direct) in the plans timed. Then the same plans read twice per round with an empty
// call's cost beside each reading (budget/quantity.h, fastest_deployed, says what they show).
// Usage: bench_budget_protocols [ROUNDS [GRANULARITY SPARSITY]...]
//        (defaults: 4 rounds; unstructured 0.9, unstructured 0.95, neuron 0.8)
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "budget/quantity.h"
#include "core/blas_runtime.h"
#include "infer/deployed.h"
#include "infer/measure.h"
#include "infer/synthetic.h"
#include "kernels/sparse_kernels.h"

using namespace poda;

namespace {

// An empty call's median time now, in µs: one sign of the machine's slow spells.
double call_overhead_us() {
  volatile int sink = 0;
  return measure_alternating({[&sink] { sink = sink + 1; }}, short_protocol(0.02, 100, 0.1))[0]
      .median_us;
}

std::string kernels_of(InferencePlan& plan, std::size_t batch) {
  std::string s;
  for (const LayerChoice& c : plan.choices(batch))
    s += c.path == KernelPath::sparse ? 's' : c.dense_kernel == DenseKernel::direct ? 'd' : 'g';
  return s;
}

double speedup(InferencePlan& dense, InferencePlan& deployed, const Shape& input,
               const LatencyProtocol& p) {
  const std::vector<LatencyStats> t = time_plans({&dense, &deployed}, input, 1, p);
  return t[0].median_us / t[1].median_us;
}

void rounds_of(const std::string& granularity, double sparsity, int rounds) {
  const Shape input{1, 28, 28};
  auto model = synthetic_model("lenet300_100", input, 1);
  prune_synthetic(*model, "magnitude", granularity, sparsity, 1);
  const LatencyProtocol check = budget_check_protocol(), final_protocol{};
  std::printf("%s %.2f, MACs per sample %.0f\n", granularity.c_str(), sparsity,
              executed_macs(*model, input));
  for (int r = 0; r < rounds; ++r) {
    const auto dense = build_plan(*model, input, Dispatch::dense);
    const auto deployed = deployed_plan(*model, input);
    const double a = speedup(*dense, *deployed, input, check);
    const double b = speedup(*dense, *deployed, input, final_protocol);
    const double c = speedup(*dense, *deployed, input, check);
    const std::string same = kernels_of(*deployed, 1) + "/" + kernels_of(*dense, 1);
    const DeployedTiming fc = time_deployed(*model, input, 1, check);
    const DeployedTiming ff = time_deployed(*model, input, 1, final_protocol);
    std::printf("  round %d  same plans [%s]: check %5.2fx, final %5.2fx, check %5.2fx"
                "   fresh plans: check %5.2fx (%.2f / %.2f us), final %5.2fx (%.2f / %.2f us)\n",
                r + 1, same.c_str(), a, b, c, fc.speedup(), fc.deployed.median_us,
                fc.dense.median_us, ff.speedup(), ff.deployed.median_us, ff.dense.median_us);
    std::fflush(stdout);
  }
  // The same two plans read again and again, the deployed one also alone (no dense plan
  // between its calls to evict its weights), and an empty call's cost right after: the
  // readings move with it (budget/quantity.h).
  const auto dense = build_plan(*model, input, Dispatch::dense);
  const auto deployed = deployed_plan(*model, input);
  for (int r = 0; r < 2 * rounds; ++r) {
    const LatencyProtocol& p = r % 2 ? final_protocol : check;
    const std::vector<LatencyStats> t = time_plans({dense.get(), deployed.get()}, input, 1, p);
    const LatencyStats alone = time_plans({deployed.get()}, input, 1, p)[0];
    std::printf("  reading %2d (%s): deployed %.2f us (p90 %.2f), dense %.2f us (p90 %.2f), "
                "%.2fx; deployed alone %.2f us; an empty call %.3f us\n",
                r + 1, r % 2 ? "final" : "check", t[1].median_us, t[1].p90_us, t[0].median_us,
                t[0].p90_us, t[0].median_us / t[1].median_us, alone.median_us,
                call_overhead_us());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  const int rounds = argc > 1 ? std::stoi(argv[1]) : 4;
  std::vector<std::pair<std::string, double>> models;
  for (int i = 2; i + 1 < argc; i += 2) models.emplace_back(argv[i], std::stod(argv[i + 1]));
  if (models.empty())
    models = {{"unstructured", 0.9}, {"unstructured", 0.95}, {"neuron", 0.8}};
  std::printf("bench_budget_protocols: LeNet-300-100, batch 1, %d BLAS thread, %s kernels, "
              "core %s\n",
              blas_threads(), kernel_isa_name(kernel_isa()), blas_core_name().c_str());
  for (const auto& [g, s] : models) rounds_of(g, s, rounds);
  return 0;
}
