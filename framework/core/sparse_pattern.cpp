#include "core/sparse_pattern.h"

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>

namespace poda {
namespace {

std::mutex cost_mutex;
PatternBuildCost total_cost;

// Counting sort of w's entries by column: the transposed CSR in one pass over the entries.
void build_transpose(SparsePattern& p) {
  const CsrMatrix& w = p.w;
  CsrMatrix& t = p.wt;
  t.rows = w.cols;
  t.cols = w.rows;
  t.row_ptr.assign(w.cols + 1, 0);
  for (std::uint16_t c : w.col) ++t.row_ptr[c + 1];
  for (std::size_t c = 0; c < w.cols; ++c) t.row_ptr[c + 1] += t.row_ptr[c];
  std::vector<std::int32_t> next(t.row_ptr.begin(), t.row_ptr.end() - 1);
  t.col.resize(w.nnz());
  t.val.assign(w.nnz(), 0.0f);
  p.flat_t.resize(w.nnz());
  for (std::size_t r = 0; r < w.rows; ++r)
    for (std::int32_t j = w.row_ptr[r]; j < w.row_ptr[r + 1]; ++j) {
      const std::int32_t k = next[w.col[j]]++;
      t.col[k] = static_cast<std::uint16_t>(r);
      p.flat_t[k] = p.flat[j];
    }
}

}  // namespace

std::shared_ptr<SparsePattern> build_sparse_pattern(const float* mask, std::size_t rows,
                                                    std::size_t cols) {
  if (rows > max_csr_cols || cols > max_csr_cols)
    throw std::invalid_argument("sparse training pattern: a (" + std::to_string(rows) + ", " +
                                std::to_string(cols) + ") weight has more than " +
                                std::to_string(max_csr_cols) + " rows or columns");
  const auto start = std::chrono::steady_clock::now();
  auto p = std::make_shared<SparsePattern>();
  p->w = csr_from_dense(mask, rows, cols);  // values are the mask's ones until gathered
  p->flat.reserve(p->w.nnz());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::int32_t j = p->w.row_ptr[r]; j < p->w.row_ptr[r + 1]; ++j)
      p->flat.push_back(static_cast<std::uint32_t>(r * cols + p->w.col[j]));
  build_transpose(*p);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard<std::mutex> lock(cost_mutex);
  ++total_cost.builds;
  total_cost.seconds += seconds;
  return p;
}

void gather_pattern_values(SparsePattern& p, const float* weight, bool transposed) {
  const std::size_t n = p.nnz();
  for (std::size_t j = 0; j < n; ++j) p.w.val[j] = weight[p.flat[j]];
  if (transposed)
    for (std::size_t k = 0; k < n; ++k) p.wt.val[k] = weight[p.flat_t[k]];
}

PatternBuildCost pattern_build_cost() {
  std::lock_guard<std::mutex> lock(cost_mutex);
  return total_cost;
}

void reset_pattern_build_cost() {
  std::lock_guard<std::mutex> lock(cost_mutex);
  total_cost = {};
}

}  // namespace poda
