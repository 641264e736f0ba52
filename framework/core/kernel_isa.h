#pragma once
// The process-wide switch between the AVX-512 and the portable builds of the hand-written
// kernels (core/direct_kernels.h, infer/sparse_kernels.h). The default is AVX-512 when the
// CPU and OS support it; tests and benchmarks force the portable build to compare.

namespace poda {

enum class KernelIsa { portable, avx512 };

bool avx512_kernels_available();
KernelIsa kernel_isa();
// Throws std::invalid_argument for avx512 on a CPU without it.
void set_kernel_isa(KernelIsa isa);
const char* kernel_isa_name(KernelIsa isa);

}  // namespace poda
