// Where an inference plan's time goes, step by step: the dense folded plan of a zoo model
// (random weights) and the compacted plan of the same model with a fraction of its filters
// and neurons removed, each step's median over many runs, one thread. A profile, not a
// comparison: the ratios of whole plans come from bench_infer_sparsity. With `unstructured`
// last, the fraction is an unstructured sparsity and the second plan is the sparse one (each
// layer on its measured kernel) instead of the compacted one.
// Usage: bench_infer_ops [ZOO [FRACTION_REMOVED [BATCH [CALLS [unstructured]]]]]
//        (defaults: lenet5 0.75 1 2000; Conv-4 takes input 3x32x32, the others 1x28x28)
#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/blas_runtime.h"
#include "infer/plan.h"
#include "kernels/sparse_kernels.h"
#include "infer/synthetic.h"
#include "measure/compact.h"

using namespace poda;

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  const std::string zoo = argc > 1 ? argv[1] : "lenet5";
  const double removed = argc > 2 ? std::stod(argv[2]) : 0.75;
  const std::size_t batch = argc > 3 ? std::stoul(argv[3]) : 1;
  const int calls = argc > 4 ? std::stoi(argv[4]) : 2000;
  const Shape input = zoo.rfind("conv", 0) == 0 ? Shape{3, 32, 32} : Shape{1, 28, 28};
  const bool unstructured = argc > 5 && std::string(argv[5]) == "unstructured";
  auto model = synthetic_model(zoo, input, 1);
  prune_synthetic(*model, "magnitude", unstructured ? "unstructured" : "neuron", removed, 1);
  auto dense = build_plan(*model, input, Dispatch::dense);
  std::unique_ptr<InferencePlan> other;
  if (unstructured) {
    other = build_plan(*model, input, Dispatch::measured);
  } else {
    const CompactResult compact = compact_model(*model, input);
    if (!compact.model) throw std::runtime_error(zoo + ": " + compact.reason);
    other = build_plan(*compact.model, input, Dispatch::dense);
  }
  std::printf("bench_infer_ops: %s, %.0f%% %s, batch %zu, %s kernels\n", zoo.c_str(),
              removed * 100, unstructured ? "unstructured sparsity" : "of filters and neurons removed",
              batch, kernel_isa_name(kernel_isa()));
  std::printf("\ndense plan (%zu MACs per sample):\n%s", dense->macs(),
              dense->describe(batch).c_str());
  std::printf("%s", dense->profile(batch, calls).c_str());
  std::printf("\n%s plan (%zu MACs per sample):\n%s", unstructured ? "sparse" : "compacted",
              other->macs(), other->describe(batch).c_str());
  std::printf("%s", other->profile(batch, calls).c_str());
  return 0;
}
