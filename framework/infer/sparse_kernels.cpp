// The dispatch and the portable builds of the sparse kernels (plain loops the compiler
// may vectorise for whatever target it builds for).
#include "infer/sparse_kernels.h"

#include <algorithm>

namespace poda {

void sparse_matvec(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::sparse_matvec_avx512(w, bias, x, y);
  else
    kernels::sparse_matvec_portable(w, bias, x, y);
}

void sparse_rows_shifted(const CsrMatrix& w, const std::int32_t* col_offset,
                         const std::int32_t* row_base, const float* bias, const float* x,
                         std::size_t L, float* y, std::size_t ldy) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::sparse_rows_shifted_avx512(w, col_offset, row_base, bias, x, L, y, ldy);
  else
    kernels::sparse_rows_shifted_portable(w, col_offset, row_base, bias, x, L, y, ldy);
}

void sparse_rows_strided(const CsrMatrix& w, const float* bias, const float* x, std::size_t ldx,
                         std::size_t L, float* y, std::size_t ldy) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::sparse_rows_strided_avx512(w, bias, x, ldx, L, y, ldy);
  else
    kernels::sparse_rows_strided_portable(w, bias, x, ldx, L, y, ldy);
}

void transpose(const float* src, std::size_t rows, std::size_t cols, float* dst) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::transpose_avx512(src, rows, cols, dst);
  else
    kernels::transpose_portable(src, rows, cols, dst);
}

namespace kernels {

void transpose_portable(const float* src, std::size_t rows, std::size_t cols, float* dst) {
  constexpr std::size_t tile = 16;  // a tile of source rows and destination rows in L1
  for (std::size_t r0 = 0; r0 < rows; r0 += tile)
    for (std::size_t c0 = 0; c0 < cols; c0 += tile) {
      const std::size_t r1 = std::min(rows, r0 + tile), c1 = std::min(cols, c0 + tile);
      for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t c = c0; c < c1; ++c) dst[c * rows + r] = src[r * cols + c];
    }
}

// y (rows) = bias + w (rows, cols) · x (cols); four partial sums break the add chain.
void sparse_matvec_portable(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  const std::int32_t* ptr = w.row_ptr.data();
  const std::uint16_t* col = w.col.data();
  const float* val = w.val.data();
  for (std::size_t r = 0; r < w.rows; ++r) {
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::int32_t j = ptr[r];
    for (; j + 4 <= ptr[r + 1]; j += 4)
      for (int u = 0; u < 4; ++u) acc[u] += val[j + u] * x[col[j + u]];
    for (; j < ptr[r + 1]; ++j) acc[0] += val[j] * x[col[j]];
    y[r] = (bias ? bias[r] : 0.0f) + ((acc[0] + acc[1]) + (acc[2] + acc[3]));
  }
}

// y[r, 0:L) = bias[r] + Σ_j val[j] * x[base_r + col_offset[col[j]] + 0:L)
void sparse_rows_shifted_portable(const CsrMatrix& w, const std::int32_t* col_offset,
                                  const std::int32_t* row_base, const float* bias, const float* x,
                                  std::size_t L, float* y, std::size_t ldy) {
  for (std::size_t r = 0; r < w.rows; ++r) {
    float* yr = y + r * ldy;  // (L)
    const float b = bias ? bias[r] : 0.0f;
    for (std::size_t p = 0; p < L; ++p) yr[p] = b;
    const float* xr = x + (row_base ? row_base[r] : 0);
    for (std::int32_t j = w.row_ptr[r]; j < w.row_ptr[r + 1]; ++j) {
      const float v = w.val[j];
      const float* xs = xr + col_offset[w.col[j]];  // (L)
      for (std::size_t p = 0; p < L; ++p) yr[p] += v * xs[p];
    }
  }
}

// y[r, 0:L) = bias[r] + Σ_j val[j] * x[col[j] * ldx + 0:L)
void sparse_rows_strided_portable(const CsrMatrix& w, const float* bias, const float* x,
                                  std::size_t ldx, std::size_t L, float* y, std::size_t ldy) {
  for (std::size_t r = 0; r < w.rows; ++r) {
    float* yr = y + r * ldy;  // (L)
    const float b = bias ? bias[r] : 0.0f;
    for (std::size_t p = 0; p < L; ++p) yr[p] = b;
    for (std::int32_t j = w.row_ptr[r]; j < w.row_ptr[r + 1]; ++j) {
      const float v = w.val[j];
      const float* xs = x + std::size_t(w.col[j]) * ldx;  // (L)
      for (std::size_t p = 0; p < L; ++p) yr[p] += v * xs[p];
    }
  }
}

}  // namespace kernels
}  // namespace poda
