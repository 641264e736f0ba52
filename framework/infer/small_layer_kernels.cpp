// The ISA dispatch and the portable builds of the small-layer kernels.
#include "infer/small_layer_kernels.h"

#include <algorithm>

#include "infer/sparse_kernels.h"

namespace poda {

bool conv_few_filters_supports(std::size_t kernel) {
  return kernel == 3 || kernel == 5;
}

void conv_few_filters(const float* w, std::size_t filters, std::size_t c_in, std::size_t k,
                      const float* bias, const float* xp, std::size_t oh, std::size_t ow, float* y,
                      std::size_t y_plane) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::conv_few_filters_avx512(w, filters, c_in, k, bias, xp, oh, ow, y, y_plane);
  else
    kernels::conv_few_filters_portable(w, filters, c_in, k, bias, xp, oh, ow, y, y_plane);
}

void matvec_narrow(const float* wt, std::size_t rows, std::size_t cols, const float* bias,
                   const float* x, float* y, bool relu) {
  if (kernel_isa() == KernelIsa::avx512)
    kernels::matvec_narrow_avx512(wt, rows, cols, bias, x, y, relu);
  else
    kernels::matvec_narrow_portable(wt, rows, cols, bias, x, y, relu);
}

namespace kernels {

void matvec_narrow_portable(const float* wt, std::size_t rows, std::size_t cols, const float* bias,
                            const float* x, float* y, bool relu) {
  for (std::size_t r = 0; r < rows; ++r) y[r] = bias[r];
  for (std::size_t c = 0; c < cols; ++c)
    for (std::size_t r = 0; r < rows; ++r) y[r] += x[c] * wt[c * rows + r];
  if (relu)
    for (std::size_t r = 0; r < rows; ++r) y[r] = std::max(y[r], 0.0f);
}

void conv_few_filters_portable(const float* w, std::size_t filters, std::size_t c_in, std::size_t k,
                               const float* bias, const float* xp, std::size_t oh, std::size_t ow,
                               float* y, std::size_t y_plane) {
  const std::size_t wp = ow + k - 1, plane = (oh + k - 1) * wp;
  for (std::size_t f = 0; f < filters; ++f)
    for (std::size_t i = 0; i < oh; ++i) {
      float* yr = y + f * y_plane + i * wp;  // (ow)
      for (std::size_t j = 0; j < ow; ++j) yr[j] = bias[f];
      for (std::size_t c = 0; c < c_in; ++c)
        for (std::size_t kh = 0; kh < k; ++kh)
          for (std::size_t kw = 0; kw < k; ++kw) {
            const float v = w[((f * c_in + c) * k + kh) * k + kw];
            const float* xr = xp + c * plane + (i + kh) * wp + kw;  // (ow)
            for (std::size_t j = 0; j < ow; ++j) yr[j] += v * xr[j];
          }
    }
}

}  // namespace kernels
}  // namespace poda
