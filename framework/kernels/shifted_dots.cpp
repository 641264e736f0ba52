// The target table of the shifted dot products (kernels/shifted_dots.h) and the call that runs
// the active target's build.
#include "kernels/shifted_dots.h"

namespace poda {

const IsaTable<ShiftedDotsKernels>& shifted_dots_kernels() {
  static const IsaTable<ShiftedDotsKernels> table{{&kernels::shifted_dots_scalar,
#if PODA_KERNELS_X86
                                                   &kernels::shifted_dots_avx2, &kernels::shifted_dots_avx512
#else
                                                   nullptr, nullptr
#endif
  }};
  return table;
}

void shifted_dots(const float* dy, std::size_t rows, std::size_t ldd, const float* x,
                  const std::int32_t* offset, std::size_t K, std::size_t L, float* dw,
                  bool accumulate) {
  shifted_dots_kernels().active().shifted_dots(dy, rows, ldd, x, offset, K, L, dw, accumulate);
}

}  // namespace poda
