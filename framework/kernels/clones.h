#pragma once
// PODA_CLONES: a hot elementwise loop outside the kernel layer compiled twice, for AVX2 and
// for the build's baseline, the CPU picking one at load time (GCC's function multi-versioning,
// through an ifunc). The portable build (no -march=native) otherwise runs such loops as SSE2
// on every CPU. Empty where the baseline already has AVX2 (-march=native on an AVX2 host) and
// off x86. Only for plain non-inline functions: GCC does not clone inline ones or templates.
#include "kernels/isa.h"

#if PODA_KERNELS_X86 && !defined(__AVX2__) && !defined(__clang__)
#define PODA_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PODA_CLONES
#endif
