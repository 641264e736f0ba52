#include "infer/csr.h"

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

}  // namespace poda
