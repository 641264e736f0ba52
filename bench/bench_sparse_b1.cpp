// LeNet-300-100 unstructured, the measured (sparse) plan against its own dense plan, in
// rounds: every round builds both plans afresh (so the per-layer kernel choice is made again,
// with its timing noise) and times them in alternation (measure_alternating); the figures are
// the medians and the extremes over the rounds, and how many rounds ran each layer sparse.
// One thread, random weights, magnitude masks. The acceptance rows of issue 21 in one table,
// faster than bench_infer_sparsity's sweep of four models. "near ties kept dense": layers
// timed faster on the sparse kernel by less than kernel_switch_margin (infer/plan.h).
// "alone": the sparse plan timed without the dense one between its calls.
// Usage: bench_sparse_b1 [ROUNDS [SECONDS_PER_ROUND [BATCH [SPARSITY...]]]]
//        (defaults: 5 rounds, 0.2 s, batch 1, 0 10 20 ... 90 95 98 99 %)
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "infer/measure.h"
#include "infer/plan.h"
#include "infer/synthetic.h"
#include "kernels/sparse_kernels.h"

using namespace poda;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void sparsity_rounds(double s, int rounds, std::size_t batch, const LatencyProtocol& protocol) {
  const Shape input{1, 28, 28};
  std::vector<double> ratio, dense_us, sparse_us, alone_us;
  std::vector<int> sparse_layers(3, 0);
  int ties = 0;  // layers timed faster sparse but by less than the margin: kept dense
  for (int r = 0; r < rounds; ++r) {
    auto model = synthetic_model("lenet300_100", input, 1);
    prune_synthetic(*model, "magnitude", "unstructured", s, 1);
    auto dense = build_plan(*model, input, Dispatch::dense);
    auto sparse = build_plan(*model, input, Dispatch::measured);
    const auto t = time_plans({dense.get(), sparse.get()}, input, batch, protocol);
    dense_us.push_back(t[0].median_us);
    sparse_us.push_back(t[1].median_us);
    ratio.push_back(t[0].median_us / t[1].median_us);
    alone_us.push_back(time_plans({sparse.get()}, input, batch, protocol)[0].median_us);
    const auto& choices = sparse->choices(batch);
    for (std::size_t l = 0; l < choices.size() && l < 3; ++l) {
      sparse_layers[l] += choices[l].path == KernelPath::sparse;
      ties += choices[l].dense_us >= 0.0 && choices[l].sparse_us < choices[l].dense_us &&
              choices[l].path == KernelPath::dense;
    }
  }
  std::printf(
      "%4.0f%%  dense %7.2f us  sparse %7.2f us (alone %7.2f)  ratio median %5.2fx (min %5.2f, max "
      "%5.2f)"
      "  rounds sparse fc1/fc2/fc3 %d/%d/%d of %d, near ties kept dense %d\n",
      s * 100, median(dense_us), median(sparse_us), median(alone_us), median(ratio),
      *std::min_element(ratio.begin(), ratio.end()), *std::max_element(ratio.begin(), ratio.end()),
      sparse_layers[0], sparse_layers[1], sparse_layers[2], rounds, ties);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  const int rounds = argc > 1 ? std::stoi(argv[1]) : 5;
  LatencyProtocol protocol;
  protocol.min_seconds = argc > 2 ? std::stod(argv[2]) : 0.2;
  protocol.max_seconds = 3.0;
  const std::size_t batch = argc > 3 ? std::stoul(argv[3]) : 1;
  std::vector<double> sparsities;
  for (int i = 4; i < argc; ++i) sparsities.push_back(std::stod(argv[i]) / 100.0);
  if (sparsities.empty())
    sparsities = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99};
  std::printf("bench_sparse_b1: LeNet-300-100, batch %zu, %d rounds, %d BLAS thread, %s kernels\n",
              batch, rounds, blas_threads(), kernel_isa_name(kernel_isa()));
  for (double s : sparsities) sparsity_rounds(s, rounds, batch, protocol);
  return 0;
}
