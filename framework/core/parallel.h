#pragma once
// Threads inside one training run: `threads: N` (or --threads N) splits the batch-level
// loops of the kernels (convolution, batch norm, activations, pooling) between N threads.
//
// The GEMMs inside a parallel loop run single-threaded on their thread's slice of the batch;
// BLAS's own threads only serve GEMMs outside these loops. set_blas_threads() sets both, so
// one setting controls the whole run (see blas_runtime.h).
#include <cstddef>
#include <functional>

namespace poda {

void set_compute_threads(int n);  // n >= 1
int compute_threads();

// Calls body(lo, hi, slot) on consecutive slices of [0, n), one per thread (slot 0 on the
// calling thread, slots < compute_threads()), and returns when all are done. Each slice holds
// at least `grain` items (fewer threads when n is small); runs inline with one thread set or
// when called from inside another parallel_for.
using SliceFn = std::function<void(std::size_t lo, std::size_t hi, int slot)>;
void parallel_for(std::size_t n, const SliceFn& body, std::size_t grain = 1);

// How many slots parallel_for(n, ..., grain) uses, so callers can size per-slot buffers.
int parallel_slots(std::size_t n, std::size_t grain = 1);

// Elementwise loops split below this many floats per thread cost more than they gain.
constexpr std::size_t elementwise_grain = std::size_t(1) << 15;

}  // namespace poda
