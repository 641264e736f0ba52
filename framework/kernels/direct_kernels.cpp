// The target table of the direct kernels and the calls that run the active target's build
// (the builds: kernels/target_*.cpp).
#include "kernels/direct_kernels.h"

#include "kernels/isa.h"

namespace poda {

const IsaTable<DirectKernels>& direct_kernels() {
  static const IsaTable<DirectKernels> table{{&kernels::direct_scalar,
#if PODA_KERNELS_X86
                                              &kernels::direct_avx2, &kernels::direct_avx512
#else
                                              nullptr, nullptr
#endif
  }};
  return table;
}

void dense_rows_shifted(const float* w, std::size_t rows, std::size_t K,
                        const std::int32_t* col_offset, const std::int32_t* row_base,
                        const float* bias, const float* x, std::size_t L, float* y,
                        std::size_t ldy) {
  direct_kernels().active().dense_rows_shifted(w, rows, K, col_offset, row_base, bias, x, L, y,
                                               ldy);
}

void dense_matvec(const float* w, std::size_t rows, std::size_t cols, const float* bias,
                  const float* x, float* y, bool relu) {
  direct_kernels().active().dense_matvec(w, rows, cols, bias, x, y, relu);
}

void max_pool2x2(const float* x, std::size_t row_stride, std::size_t plane_stride,
                 std::size_t planes, std::size_t ph, std::size_t pw, float floor, float* y) {
  direct_kernels().active().max_pool2x2(x, row_stride, plane_stride, planes, ph, pw, floor, y);
}

}  // namespace poda
