// The ISA dispatch and the portable builds of the direct kernels (plain loops the compiler
// may vectorise for whatever target it builds for).
#include "core/direct_kernels.h"

#include <algorithm>

#include "core/kernel_isa.h"

namespace poda {

void dense_rows_shifted(const float* w, std::size_t rows, std::size_t K,
                        const std::int32_t* col_offset, const std::int32_t* row_base,
                        const float* bias, const float* x, std::size_t L, float* y,
                        std::size_t ldy) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::dense_rows_shifted_avx512(w, rows, K, col_offset, row_base, bias, x, L, y, ldy);
  else
    kernels::dense_rows_shifted_portable(w, rows, K, col_offset, row_base, bias, x, L, y, ldy);
}

void dense_matvec(const float* w, std::size_t rows, std::size_t cols, const float* bias,
                  const float* x, float* y, bool relu) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::dense_matvec_avx512(w, rows, cols, bias, x, y, relu);
  else
    kernels::dense_matvec_portable(w, rows, cols, bias, x, y, relu);
}

void max_pool2x2(const float* x, std::size_t row_stride, std::size_t plane_stride,
                 std::size_t planes, std::size_t ph, std::size_t pw, float floor, float* y) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::max_pool2x2_avx512(x, row_stride, plane_stride, planes, ph, pw, floor, y);
  else
    kernels::max_pool2x2_portable(x, row_stride, plane_stride, planes, ph, pw, floor, y);
}

namespace kernels {

// y[r, 0:L) = bias[r] + Σ_k w[r, k] * x[base_r + col_offset[k] + 0:L)
void dense_rows_shifted_portable(const float* w, std::size_t rows, std::size_t K,
                                 const std::int32_t* col_offset, const std::int32_t* row_base,
                                 const float* bias, const float* x, std::size_t L, float* y,
                                 std::size_t ldy) {
  for (std::size_t r = 0; r < rows; ++r) {
    float* yr = y + r * ldy;  // (L)
    for (std::size_t p = 0; p < L; ++p) yr[p] = bias[r];
    const float* xr = x + (row_base ? row_base[r] : 0);
    for (std::size_t k = 0; k < K; ++k) {
      const float v = w[r * K + k];
      const float* xs = xr + col_offset[k];  // (L)
      for (std::size_t p = 0; p < L; ++p) yr[p] += v * xs[p];
    }
  }
}

// y (rows) = act(bias + w · x); four partial sums break the add chain.
void dense_matvec_portable(const float* w, std::size_t rows, std::size_t cols, const float* bias,
                           const float* x, float* y, bool relu) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* wr = w + r * cols;  // (cols)
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::size_t c = 0;
    for (; c + 4 <= cols; c += 4)
      for (int u = 0; u < 4; ++u) acc[u] += wr[c + u] * x[c + u];
    for (; c < cols; ++c) acc[0] += wr[c] * x[c];
    const float sum = bias[r] + ((acc[0] + acc[1]) + (acc[2] + acc[3]));
    y[r] = relu && sum < 0.0f ? 0.0f : sum;
  }
}

void max_pool2x2_portable(const float* x, std::size_t row_stride, std::size_t plane_stride,
                          std::size_t planes, std::size_t ph, std::size_t pw, float floor,
                          float* y) {
  for (std::size_t c = 0; c < planes; ++c)
    for (std::size_t i = 0; i < ph; ++i) {
      const float* r0 = x + c * plane_stride + 2 * i * row_stride;
      const float* r1 = r0 + row_stride;
      float* yr = y + (c * ph + i) * pw;
      for (std::size_t j = 0; j < pw; ++j)
        yr[j] = std::max(
            std::max(std::max(r0[2 * j], r0[2 * j + 1]), std::max(r1[2 * j], r1[2 * j + 1])),
            floor);
    }
}

}  // namespace kernels
}  // namespace poda
