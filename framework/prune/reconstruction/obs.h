#pragma once
// SparseGPT's solver (Frantar & Alistarh 2023, Algorithm 1): prune a layer's weight W (rows,
// cols) so that W' X stays close to W X, given the Hessian H = 2 X X^T / n of the squared
// reconstruction error over the layer's calibration inputs X (cols, n). Columns are visited in
// order; removing weight (r, i) is compensated on the row's later columns by the Optimal
// Brain Surgeon update, read off the upper Cholesky factor of H^-1; updates to columns
// outside the current block are deferred and applied once per block (lazy batch updates),
// which changes the operation count, not the result. Plain double-precision loops: poda's
// layers have at most a few thousand inputs, so the exact H, its inverse and its factor fit.
#include <cstddef>
#include <vector>

namespace poda {

struct ObsSettings {
  double sparsity = 0.5;    // unstructured: fraction pruned in every row-block tile
  int n = 0, m = 0;         // N:M when m > 0: n kept in every group of m columns
  std::size_t segment = 0;  // N:M groups restart every `segment` columns (0 = cols)
  std::size_t block = 128;  // columns per lazy update block
  double damp = 0.01;       // lambda = damp * mean(diag H), added to the diagonal
};

// A dense row-major matrix of doubles.
struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> v;
  Matrix() = default;
  Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), v(r * c, 0.0) {}
  double& operator()(std::size_t r, std::size_t c) { return v[r * cols + c]; }
  double operator()(std::size_t r, std::size_t c) const { return v[r * cols + c]; }
};

// Lower Cholesky factor L of a symmetric positive definite A (A = L L^T); throws
// std::runtime_error naming `what` when A is not positive definite.
Matrix cholesky_lower(const Matrix& a, const char* what);

// The upper factor U of H^-1 = U^T U after dampening, the form Algorithm 1 reads. An input
// that never fired (H_ii = 0) gets H_ii = 1, as in the reference implementation, and is
// reported in `dead_inputs` so its weights are pruned first (they change nothing).
Matrix inverse_hessian_factor(Matrix h, double damp, std::vector<bool>& dead_inputs);

// Prunes w in place with the factor U of inverse_hessian_factor(): chooses the mask
// adaptively (unstructured: per block of columns, the lowest w^2 / U_ii^2 of the tile; N:M:
// per group of m columns when the group's first column is reached) unless `fixed_mask`
// (rows * cols, true = prune) is given. `forced` entries (true = already pruned) are always
// pruned and count toward the tile's share. Columns marked in `free_columns` (inputs that
// were always zero: inverse_hessian_factor's dead_inputs) cost nothing to prune and score 0,
// as the reference implementation's zeroed weights do, but keep their values when kept.
// Returns the mask (true = pruned).
std::vector<bool> obs_prune(Matrix& w, const Matrix& u, const ObsSettings& s,
                            const std::vector<bool>& forced,
                            const std::vector<bool>& free_columns = {},
                            const std::vector<bool>* fixed_mask = nullptr);

}  // namespace poda
