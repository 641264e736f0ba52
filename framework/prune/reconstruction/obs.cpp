#include "prune/reconstruction/obs.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "prune/select.h"

namespace poda {

Matrix cholesky_lower(const Matrix& a, const char* what) {
  const std::size_t n = a.rows;
  Matrix l(n, n);
  for (std::size_t j = 0; j < n; ++j) {
    double d = a(j, j);
    for (std::size_t k = 0; k < j; ++k) d -= l(j, k) * l(j, k);
    if (!(d > 0.0))
      throw std::runtime_error(std::string(what) +
                               " is not positive definite (raise the dampening)");
    l(j, j) = std::sqrt(d);
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a(i, j);
      for (std::size_t k = 0; k < j; ++k) s -= l(i, k) * l(j, k);
      l(i, j) = s / l(j, j);
    }
  }
  return l;
}

namespace {

// L^-1 of a lower triangular L, by forward substitution column by column.
Matrix lower_inverse(const Matrix& l) {
  const std::size_t n = l.rows;
  Matrix inv(n, n);
  for (std::size_t c = 0; c < n; ++c) {
    inv(c, c) = 1.0 / l(c, c);
    for (std::size_t i = c + 1; i < n; ++i) {
      double s = 0.0;
      for (std::size_t k = c; k < i; ++k) s -= l(i, k) * inv(k, c);
      inv(i, c) = s / l(i, i);
    }
  }
  return inv;
}

}  // namespace

Matrix inverse_hessian_factor(Matrix h, double damp, std::vector<bool>& dead_inputs) {
  const std::size_t n = h.rows;
  dead_inputs.assign(n, false);
  double mean_diag = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (h(i, i) == 0.0) dead_inputs[i] = true, h(i, i) = 1.0;
    mean_diag += h(i, i) / static_cast<double>(n);
  }
  for (std::size_t i = 0; i < n; ++i) h(i, i) += damp * mean_diag;
  const Matrix linv = lower_inverse(cholesky_lower(h, "the layer's input Hessian"));
  Matrix hinv(n, n);  // H^-1 = L^-T L^-1
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = 0.0;
      for (std::size_t k = i; k < n; ++k) s += linv(k, i) * linv(k, j);
      hinv(i, j) = hinv(j, i) = s;
    }
  const Matrix l = cholesky_lower(hinv, "the inverse Hessian");
  Matrix u(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i; j < n; ++j) u(i, j) = l(j, i);
  return u;
}

namespace {

struct Solver {
  Matrix& w;
  const Matrix& u;
  const ObsSettings& s;
  const std::vector<bool>& forced;
  const std::vector<bool>& free_columns;
  std::vector<bool> mask;  // true = pruned

  std::size_t segment() const { return s.segment ? s.segment : w.cols; }
  // The end of the group of m columns that holds column c (N:M).
  std::size_t group_end(std::size_t c) const {
    const std::size_t seg0 = c / segment() * segment();
    const std::size_t g0 = seg0 + (c - seg0) / s.m * s.m;
    return std::min({g0 + s.m, seg0 + segment(), w.cols});
  }
  // Blocks never split an N:M group: its scores must see every update made so far.
  std::size_t block_end(std::size_t i1) const {
    const std::size_t i2 = std::min(i1 + std::max<std::size_t>(s.block, 1), w.cols);
    return s.m > 0 ? group_end(i2 - 1) : i2;
  }
  double score(std::size_t r, std::size_t c) const {
    if (forced[r * w.cols + c]) return -INFINITY;
    if (!free_columns.empty() && free_columns[c]) return 0.0;
    return w(r, c) * w(r, c) / (u(c, c) * u(c, c));
  }
  // Unstructured: the tile's share of the layer's count, so the shares sum to the total.
  void select_tile(std::size_t i1, std::size_t i2) {
    const auto share = [&](std::size_t cols) {
      return units_for_fraction(s.sparsity, w.rows * cols);
    };
    std::vector<double> scores;
    for (std::size_t r = 0; r < w.rows; ++r)
      for (std::size_t c = i1; c < i2; ++c) scores.push_back(score(r, c));
    const std::size_t width = i2 - i1;
    for (std::size_t e : lowest_k(scores, share(i2) - share(i1)))
      mask[(e / width) * w.cols + i1 + e % width] = true;
    for (std::size_t r = 0; r < w.rows; ++r)  // more dead entries than the share: all go
      for (std::size_t c = i1; c < i2; ++c)
        mask[r * w.cols + c] = mask[r * w.cols + c] || forced[r * w.cols + c];
  }
  void select_group(std::size_t c0) {
    const std::size_t c1 = group_end(c0), r_cols = c1 - c0;
    const std::size_t keep = std::min<std::size_t>(static_cast<std::size_t>(s.n), r_cols);
    std::vector<double> scores(r_cols);
    for (std::size_t r = 0; r < w.rows; ++r) {
      for (std::size_t c = c0; c < c1; ++c) scores[c - c0] = score(r, c);
      for (std::size_t q : lowest_k(scores, r_cols - keep)) mask[r * w.cols + c0 + q] = true;
      for (std::size_t c = c0; c < c1; ++c)
        mask[r * w.cols + c] = mask[r * w.cols + c] || forced[r * w.cols + c];
    }
  }
  bool group_start(std::size_t c) const {
    return (c % segment()) % static_cast<std::size_t>(s.m) == 0;
  }
  void run_block(std::size_t i1, std::size_t i2, bool choose) {
    const std::size_t width = i2 - i1;
    if (choose && s.m == 0) select_tile(i1, i2);
    Matrix err(w.rows, width);
    for (std::size_t i = i1; i < i2; ++i) {
      if (choose && s.m > 0 && group_start(i)) select_group(i);
      const double d = u(i, i);
      for (std::size_t r = 0; r < w.rows; ++r) {
        if (!mask[r * w.cols + i]) continue;  // kept: no error, no update
        const double e = w(r, i) / d;
        err(r, i - i1) = e;
        w(r, i) = 0.0;
        for (std::size_t j = i + 1; j < i2; ++j) w(r, j) -= e * u(i, j);
      }
    }
    for (std::size_t r = 0; r < w.rows; ++r)  // the lazy update of the later columns
      for (std::size_t t = 0; t < width; ++t) {
        const double e = err(r, t);
        if (e == 0.0) continue;
        const double* ui = &u.v[(i1 + t) * u.cols];
        double* wr = &w.v[r * w.cols];
        for (std::size_t j = i2; j < w.cols; ++j) wr[j] -= e * ui[j];
      }
  }
};

}  // namespace

std::vector<bool> obs_prune(Matrix& w, const Matrix& u, const ObsSettings& s,
                            const std::vector<bool>& forced, const std::vector<bool>& free_columns,
                            const std::vector<bool>* fixed_mask) {
  if (u.rows != w.cols || forced.size() != w.v.size() ||
      (fixed_mask && fixed_mask->size() != w.v.size()) ||
      (!free_columns.empty() && free_columns.size() != w.cols))
    throw std::invalid_argument("obs_prune: the weight, factor and masks disagree in shape");
  if (s.m > 0 && (s.n < 0 || s.n > s.m))
    throw std::invalid_argument("obs_prune: N:M needs 0 <= n <= m");
  Solver solver{w, u, s, forced, free_columns, {}};
  solver.mask = fixed_mask ? *fixed_mask : std::vector<bool>(w.v.size(), false);
  for (std::size_t i1 = 0; i1 < w.cols;) {
    const std::size_t i2 = solver.block_end(i1);
    solver.run_block(i1, i2, fixed_mask == nullptr);
    i1 = i2;
  }
  return solver.mask;
}

}  // namespace poda
