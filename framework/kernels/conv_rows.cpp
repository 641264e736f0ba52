// The target table of the row-grid convolution kernels (kernels/conv_rows.h) and the calls
// that run the active target's build.
#include "kernels/conv_rows.h"

namespace poda {

const IsaTable<ConvRowsKernels>& conv_rows_kernels() {
  static const IsaTable<ConvRowsKernels> table{{&kernels::conv_rows_scalar,
#if PODA_KERNELS_X86
                                                &kernels::conv_rows_avx2, &kernels::conv_rows_avx512
#else
                                                nullptr, nullptr
#endif
  }};
  return table;
}

void conv_rows_forward(const float* w, std::size_t rows, std::size_t K, const std::int32_t* offset,
                       const float* bias, const float* x, const RowGrid& grid, float* y,
                       std::size_t ldy, bool accumulate) {
  conv_rows_kernels().active().forward(w, rows, K, offset, bias, x, grid, y, ldy, accumulate);
}

void conv_rows_weight_grad(const float* dy, std::size_t rows, std::size_t ldd, const float* x,
                           const std::int32_t* offset, std::size_t K, const RowGrid& grid,
                           float* dw, bool accumulate) {
  conv_rows_kernels().active().weight_grad(dy, rows, ldd, x, offset, K, grid, dw, accumulate);
}

}  // namespace poda
