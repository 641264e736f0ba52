#pragma once
// `poda bench`: the three inference paths of one model (dense, sparse, compacted) at a few
// batch sizes, with each layer's kernel choice; a trained checkpoint or a zoo model with
// random weights and masks. Then the deployed path (compacted, fastest kernel per layer),
// timed against dense alone, with the deployed bytes and MACs: the quantities a budget run
// records as budget_achieved (budget/quantity.h), re-measured in a process of its own.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace poda {

struct BenchOptions {
  std::string checkpoint;  // "" = random weights
  std::string zoo;         // the model (the checkpoint's architecture)
  std::string input = "1,28,28";
  double sparsity = 0.9;
  std::string granularity = "unstructured";
  std::string criterion = "magnitude";
  std::vector<std::size_t> batch_sizes{1, 64};
  double seconds = 1.0;          // timed seconds per batch size (at least 200 rounds)
  std::string kernels = "auto";  // auto, scalar, avx2 or avx512 (kernels/isa.h)
  std::uint64_t seed = 1;
};

// Every option checked before any work (cli/bench_options.cpp): the sample shape, or a
// UserError naming the option, the value and what is allowed (the known names for a name).
Shape check_bench_options(const BenchOptions& options);

int command_bench(const BenchOptions& options);

}  // namespace poda
