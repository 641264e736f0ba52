// The target table of the sparse kernels and the calls that run the active target's build
// (the builds: kernels/target_*.cpp).
#include "kernels/sparse_kernels.h"

namespace poda {

const IsaTable<SparseKernels>& sparse_kernels() {
  static const IsaTable<SparseKernels> table{{&kernels::sparse_scalar,
#if PODA_KERNELS_X86
                                              &kernels::sparse_avx2, &kernels::sparse_avx512
#else
                                              nullptr, nullptr
#endif
  }};
  return table;
}

void sparse_matvec(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  sparse_kernels().active().sparse_matvec_act(w, bias, x, y, false);
}

void sparse_matvec_act(const CsrMatrix& w, const float* bias, const float* x, float* y,
                       bool relu) {
  sparse_kernels().active().sparse_matvec_act(w, bias, x, y, relu);
}

void sparse_rows_shifted(const CsrMatrix& w, const std::int32_t* col_offset,
                         const std::int32_t* row_base, const float* bias, const float* x,
                         std::size_t L, float* y, std::size_t ldy) {
  sparse_kernels().active().sparse_rows_shifted(w, col_offset, row_base, bias, x, L, y, ldy);
}

void sparse_rows_strided(const CsrMatrix& w, const float* bias, const float* x, std::size_t ldx,
                         std::size_t L, float* y, std::size_t ldy, bool relu) {
  sparse_kernels().active().sparse_rows_strided(w, bias, x, ldx, L, y, ldy, relu);
}

void transpose(const float* src, std::size_t rows, std::size_t cols, float* dst) {
  sparse_kernels().active().transpose(src, rows, cols, dst);
}

void sampled_dots(const CsrMatrix& w, const float* a, const float* b, std::size_t L,
                  float* out) {
  sparse_kernels().active().sampled_dots(w, a, b, L, out);
}

}  // namespace poda
