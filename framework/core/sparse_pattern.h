#pragma once
// The non-zeros of a fixed pruning mask, laid out for the sparse training path of a Dense
// layer (core/sparse_linear.h): the mask's CSR (a row per output unit) and the CSR of its
// transpose (a row per input feature), each with the flat index of every entry in the dense
// weight, so the live values are gathered from the dense weight before each product and the
// weight gradient is scattered back to it. Built once per mask (the mask changes only between
// pruning steps); the values in `w.val` and `wt.val` are refreshed on every use.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/csr.h"

namespace poda {

struct SparsePattern {
  CsrMatrix w;                      // (out, in): pattern of the weight
  CsrMatrix wt;                     // (in, out): pattern of its transpose
  std::vector<std::uint32_t> flat;  // (nnz): w's entry j is weight[flat[j]] (ascending)
  std::vector<std::uint32_t> flat_t;  // (nnz): wt's entry k is weight[flat_t[k]]

  std::size_t nnz() const { return flat.size(); }
};

// The pattern of mask (rows, cols) (non-zero = kept). Throws std::invalid_argument when cols
// or rows exceed max_csr_cols (the transpose's columns are the weight's rows).
std::shared_ptr<SparsePattern> build_sparse_pattern(const float* mask, std::size_t rows,
                                                    std::size_t cols);

// w.val[j] = weight[flat[j]]; with `transposed`, wt.val[k] = weight[flat_t[k]] too.
void gather_pattern_values(SparsePattern& p, const float* weight, bool transposed);

// Process-wide count of pattern builds and the seconds they took: the cost of rebuilding
// the format after each mask change, which the sparse path pays and the dense path does not.
struct PatternBuildCost {
  std::size_t builds = 0;
  double seconds = 0.0;
};
PatternBuildCost pattern_build_cost();
void reset_pattern_build_cost();

}  // namespace poda
