#pragma once
// What the AVX-512 kernel files share. They compile with target attributes rather than
// flags, so each builds under any x86-64 compiler setting and runs only where
// kernel_isa_runnable(KernelIsa::avx512) (kernels/isa.h) says yes. Include inside the
// files' `#if PODA_KERNELS_X86`.
#include <immintrin.h>

#include <cstddef>

#define PODA_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))
// Loops over a block's rows and vectors unrolled early: GCC 12 otherwise keeps the
// accumulator arrays in memory and stores all of them on every step.
#define PODA_UNROLL _Pragma("GCC unroll 16")

namespace poda::kernels {

// The first min(n, 16) lanes.
PODA_AVX512 inline __mmask16 lanes(std::size_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << n) - 1u);
}

}  // namespace poda::kernels
