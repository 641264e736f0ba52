#pragma once
// The sparse kernels of the inference path, built for each kernel target and run in the
// active target's build (kernels/isa.h).
#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"
#include "kernels/csr.h"

namespace poda {

// Sparse matrix-vector product, batch 1:
//   y (rows) = bias (rows, or null) + w (rows, cols) · x (cols)
void sparse_matvec(const CsrMatrix& w, const float* bias, const float* x, float* y);
// The same, then y = max(0, y) when relu, on the window slices of the active target's width
// where add_matvec_slices built them (the bias and ReLU in the kernel's store): the batch-1
// Dense of an inference plan. sparse_matvec above runs this with relu false.
void sparse_matvec_act(const CsrMatrix& w, const float* bias, const float* x, float* y,
                       bool relu);

// Sparse rows times shifted vectors, vectorised along L: for every row r,
//   y[r, 0:L) = bias[r] + Σ_j w.val[j] * x[row_base[r] + col_offset[w.col[j]] + 0:L)
// y (rows, L) with row stride ldy; bias and row_base may be null (0).
// A stride-1 convolution on a (padded) input plane (C, Hp, Wp) is
//   col_offset[(c, kh, kw)] = c*Hp*Wp + kh*d*Wp + kw*d, L = (H_out - 1) * Wp + W_out,
// which computes every output position p = oh*Wp + ow at once (columns ow >= W_out are
// computed too and dropped by the caller).
void sparse_rows_shifted(const CsrMatrix& w, const std::int32_t* col_offset,
                         const std::int32_t* row_base, const float* bias, const float* x,
                         std::size_t L, float* y, std::size_t ldy);

// The same with column c at x + c * ldx (no table): a Dense layer on a feature-major batch,
//   y (out, B) = w (out, in) · x (in, B) with ldx = L = ldy = B,
// then max(y, 0) when relu (the layer's ReLU in the kernel's stores, not a pass of its own).
void sparse_rows_strided(const CsrMatrix& w, const float* bias, const float* x, std::size_t ldx,
                         std::size_t L, float* y, std::size_t ldy, bool relu = false);

// dst (cols, rows) = src (rows, cols)ᵀ: the layout changes of a plan (infer/op.h).
void transpose(const float* src, std::size_t rows, std::size_t cols, float* dst);

// A product sampled at the pattern's entries (the weight gradient of sparse training):
//   out[j] = Σ_l a[r, l] * b[w.col[j], l] for entry j of row r,
// a (w.rows, L), b (w.cols, L), out (w.nnz()); w's values are not read.
void sampled_dots(const CsrMatrix& w, const float* a, const float* b, std::size_t L,
                  float* out);

// The builds of these kernels, one per target (kernels/isa.h); the functions above run the
// active target's.
struct SparseKernels {
  decltype(&poda::sparse_rows_shifted) sparse_rows_shifted;
  decltype(&poda::sparse_rows_strided) sparse_rows_strided;
  decltype(&poda::transpose) transpose;
  decltype(&poda::sampled_dots) sampled_dots;
  decltype(&poda::sparse_matvec_act) sparse_matvec_act;
};
const IsaTable<SparseKernels>& sparse_kernels();

namespace kernels {
extern const SparseKernels sparse_scalar, sparse_avx2, sparse_avx512;
}  // namespace kernels

}  // namespace poda
