#include "infer/csr.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace poda {

CsrMatrix csr_from_dense(const float* w, std::size_t rows, std::size_t cols) {
  if (cols > max_csr_cols)
    throw std::invalid_argument("CSR with 16-bit columns holds at most 65536 columns, not " +
                                std::to_string(cols));
  CsrMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.row_ptr.reserve(rows + 1);
  m.row_ptr.push_back(0);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const float v = w[r * cols + c];
      if (v == 0.0f) continue;
      m.col.push_back(static_cast<std::uint16_t>(c));
      m.val.push_back(v);
    }
    m.row_ptr.push_back(static_cast<std::int32_t>(m.val.size()));
  }
  return m;
}

namespace {

constexpr std::size_t slice_rows = 16, block_cols = 32;

// Appends the blocks of rows [r0, r0 + lanes) to s.
void add_slice(const CsrMatrix& m, std::size_t r0, std::size_t lanes, MatvecSlices& s) {
  std::array<std::int32_t, slice_rows> cursor{}, end{};
  for (std::size_t l = 0; l < lanes; ++l) cursor[l] = m.row_ptr[r0 + l];
  for (std::size_t col0 = 0; col0 < m.cols; col0 += block_cols) {
    std::int32_t slots = 0;  // the longest row's entries in [col0, col0 + 32)
    for (std::size_t l = 0; l < lanes; ++l) {
      std::int32_t e = cursor[l];
      while (e < m.row_ptr[r0 + l + 1] && m.col[e] < col0 + block_cols) ++e;
      end[l] = e;
      slots = std::max(slots, e - cursor[l]);
    }
    if (slots == 0) continue;
    s.blocks.push_back({std::uint32_t(col0), std::uint32_t(slots)});
    const std::size_t base = s.val.size();
    s.val.resize(base + slots * slice_rows, 0.0f);
    s.idx.resize(base + slots * slice_rows, 0);
    for (std::size_t l = 0; l < lanes; ++l)
      for (std::int32_t k = 0; k < end[l] - cursor[l]; ++k) {
        s.val[base + k * slice_rows + l] = m.val[cursor[l] + k];
        s.idx[base + k * slice_rows + l] = std::uint8_t(m.col[cursor[l] + k] - col0);
      }
    cursor = end;
  }
}

}  // namespace

void add_matvec_slices(CsrMatrix& m) {
  MatvecSlices s;
  s.slice_ptr.push_back(0);
  for (std::size_t r0 = 0; r0 < m.rows; r0 += slice_rows) {
    add_slice(m, r0, std::min(slice_rows, m.rows - r0), s);
    s.slice_ptr.push_back(std::uint32_t(s.blocks.size()));
  }
  m.slices = std::move(s);
}

}  // namespace poda
