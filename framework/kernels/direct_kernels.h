#pragma once
// Dense-weight kernels that skip the GEMM library: a direct (im2col-free) stride-1
// convolution and a batch-1 matrix-vector product. Small layers (the few channels and
// neurons a structured-pruned model keeps) spend more time in im2col, in the library's
// per-call set-up and in separate bias and activation passes than in their
// multiply-accumulates; these kernels have neither. The inference path (infer/linear_ops.h)
// and the training convolutions (core/conv_direct.cpp) both run them, in the build of
// the active kernel target (kernels/isa.h).
#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"

namespace poda {

// Dense rows times shifted vectors, vectorised along L: for every row r,
//   y[r, 0:L) = bias[r] + Σ_k w[r, k] * x[row_base[r] + col_offset[k] + 0:L)
// w (rows, K) row-major, bias (rows), y (rows, L) with row stride ldy; row_base may be null.
// The dense form of sparse_rows_shifted (kernels/sparse_kernels.h): a stride-1 convolution.
void dense_rows_shifted(const float* w, std::size_t rows, std::size_t K,
                        const std::int32_t* col_offset, const std::int32_t* row_base,
                        const float* bias, const float* x, std::size_t L, float* y,
                        std::size_t ldy);

// y (rows) = act(bias (rows) + w (rows, cols) · x (cols)), act = ReLU when relu, else none.
void dense_matvec(const float* w, std::size_t rows, std::size_t cols, const float* bias,
                  const float* x, float* y, bool relu);

// The 2x2 max pooling at stride 2 that ends a convolution, with a floor (0 for a fused ReLU,
// -inf for none): for every plane c < planes, i < ph, j < pw,
//   y[c, i, j] = max(floor, x[c, 2i, 2j], x[c, 2i, 2j+1], x[c, 2i+1, 2j], x[c, 2i+1, 2j+1])
// x plane c at x + c * plane_stride with rows row_stride apart; y (planes, ph, pw) dense.
void max_pool2x2(const float* x, std::size_t row_stride, std::size_t plane_stride,
                 std::size_t planes, std::size_t ph, std::size_t pw, float floor, float* y);

// The builds of these kernels, one per target (kernels/isa.h); the functions above run the
// active target's.
struct DirectKernels {
  decltype(&poda::dense_rows_shifted) dense_rows_shifted;
  decltype(&poda::dense_matvec) dense_matvec;
  decltype(&poda::max_pool2x2) max_pool2x2;
};
const IsaTable<DirectKernels>& direct_kernels();

namespace kernels {
extern const DirectKernels direct_scalar, direct_avx2, direct_avx512;
}  // namespace kernels

}  // namespace poda
