// The sparse kernels against plain loops, on every kernel target this CPU runs, on rows of
// every length around the vector widths (0 to 70 entries) and every tail of L.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/random.h"
#include "kernels/csr.h"
#include "kernels/sparse_kernels.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::random_vector;

namespace {

// (rows, cols) with row r holding r % 71 non-zeros at seeded columns.
std::vector<float> ragged_matrix(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  std::vector<float> w(rows * cols, 0.0f);
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < r % 71; ++k) w[r * cols + rng.below(cols)] = rng.normal();
  return w;
}

std::vector<std::pair<const char*, SparseKernels>> builds() {
  return poda::testing::builds_of(sparse_kernels());
}

// Every target's sparse_rows_strided on m (the non-zeros of w (rows, cols)) against w · x in
// double, with and without `bias` and ReLU; lanes of y past L stay untouched.
void check_strided_rows(const CsrMatrix& m, const std::vector<float>& w,
                        const std::vector<float>& bias, const std::vector<float>& x,
                        std::size_t ldx, std::size_t L, std::size_t ldy) {
  const std::size_t rows = m.rows, cols = m.cols;
  std::vector<double> dense(rows * L);  // w · x
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      if (const double v = w[r * cols + c]; v != 0.0)
        for (std::size_t p = 0; p < L; ++p) dense[r * L + p] += v * x[c * ldx + p];
  for (const auto& [name, fns] : builds())
    for (const float* b : {static_cast<const float*>(nullptr), bias.data()})
      for (bool relu : {false, true}) {
        CAPTURE(name);
        CAPTURE(L);
        CAPTURE(b != nullptr);
        CAPTURE(relu);
        std::vector<float> y(rows * ldy, -7.0f);
        fns.sparse_rows_strided(m, b, x.data(), ldx, L, y.data(), ldy, relu);
        std::size_t wrong = 0;
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t p = 0; p < ldy; ++p) {
            if (p >= L) {
              wrong += y[r * ldy + p] != -7.0f;
              continue;
            }
            double expected = dense[r * L + p] + (b ? b[r] : 0.0);
            if (relu) expected = std::max(expected, 0.0);
            wrong += !(std::abs(y[r * ldy + p] - expected) <= 1e-5 * (1.0 + std::abs(expected)));
          }
        CHECK(wrong == 0);
      }
}

}  // namespace

TEST_CASE("sparse kernels: CSR keeps exactly the non-zeros") {
  const std::vector<float> w = ragged_matrix(80, 300, 1);
  const CsrMatrix m = csr_from_dense(w.data(), 80, 300);
  std::size_t nnz = 0;
  for (float v : w) nnz += v != 0.0f;
  CHECK(m.nnz() == nnz);
  CHECK(m.row_ptr.size() == 81);
  CHECK(m.bytes() == nnz * 6 + 81 * 4);
  std::vector<float> back(w.size(), 0.0f);
  for (std::size_t r = 0; r < 80; ++r)
    for (auto j = m.row_ptr[r]; j < m.row_ptr[r + 1]; ++j) back[r * 300 + m.col[j]] = m.val[j];
  CHECK(back == w);
  std::vector<float> wide(2 * 70000, 0.0f);
  CHECK_THROWS_AS(csr_from_dense(wide.data(), 2, 70000), std::invalid_argument);
}

TEST_CASE("sparse kernels: matrix-vector product, every target, CSR and slices") {
  // 150 rows end in a part-filled slice; 1020 columns end in a window that starts 4 (of 8)
  // or 12 (of 16) columns early; 5 columns are fewer than one window, 20 and 40 end in a
  // window that starts early.
  const std::size_t rows = 150;
  for (std::size_t cols : {5, 20, 40, 1000, 1020}) {
    const std::vector<float> w = ragged_matrix(rows, cols, 2), x = random_vector(cols, 3),
                             bias = random_vector(rows, 4);
    const CsrMatrix plain = csr_from_dense(w.data(), rows, cols);
    CsrMatrix sliced = plain;
    add_matvec_slices(sliced);
    CHECK(sliced.slices8.slice_ptr.size() == 6);   // slices of 4 x 8 rows
    CHECK(sliced.slices16.slice_ptr.size() == 4);  // slices of 4 x 16 rows
    // sparse_matvec_act without and with its ReLU, on the CSR loop and on the windows.
    for (const auto& [name, fns] : builds())
      for (const CsrMatrix* m : {&plain, static_cast<const CsrMatrix*>(&sliced)})
        for (bool relu : {false, true}) {
          CAPTURE(name);
          CAPTURE(cols);
          CAPTURE(m->slices8.empty());
          CAPTURE(relu);
          std::vector<float> y(rows);
          fns.sparse_matvec_act(*m, bias.data(), x.data(), y.data(), relu);
          for (std::size_t r = 0; r < rows; ++r) {
            double expected = bias[r];
            for (std::size_t c = 0; c < cols; ++c) expected += double(w[r * cols + c]) * x[c];
            if (relu) expected = std::max(expected, 0.0);
            CAPTURE(r);
            CHECK(y[r] == doctest::Approx(expected).epsilon(1e-5));
          }
        }
  }
}

TEST_CASE("sparse kernels: the window layout holds every entry once, its index in its value") {
  const std::size_t rows = 300, cols = 784;
  std::vector<float> w(rows * cols, 0.0f);
  Rng rng(7);
  for (float& v : w) v = rng.uniform() < 0.1 ? rng.normal() : 0.0f;
  CsrMatrix m = csr_from_dense(w.data(), rows, cols);
  add_matvec_slices(m);
  for (const MatvecSlices* layout : {&m.slices8, &m.slices16}) {
    const MatvecSlices& s = *layout;
    CAPTURE(s.lanes);
    REQUIRE(s.windows);
    REQUIRE(s.block_cols == s.lanes);  // windows of 8 columns for 8 lanes, 16 for 16
    REQUIRE((std::size_t(1) << s.index_bits) == s.block_cols);
    const unsigned width = unsigned(s.block_cols), low = width - 1;
    const std::size_t group_rows = s.lanes, slice_rows = s.lanes * s.groups;
    std::vector<float> back(w.size(), 0.0f);
    for (std::size_t sl = 0; sl + 1 < s.slice_slots.size(); ++sl)
      for (std::size_t k = s.slice_slots[sl]; k < s.slice_slots[sl + 1]; ++k) {
        CHECK(s.slot_col0[k] + width <= cols);
        for (std::size_t e = 0; e < slice_rows; ++e) {
          const float v = s.val[k * slice_rows + e];
          const std::uint8_t index = s.idx[k * slice_rows + e];
          if (v == 0.0f) {
            CHECK(index == 0);  // padding: +0, which the index bits leave alone
            continue;
          }
          CHECK(index < width);
          std::uint32_t bits;
          std::memcpy(&bits, &v, sizeof bits);
          CHECK((bits & low) == index);
          const std::size_t r = sl * slice_rows + e / group_rows * group_rows + e % group_rows;
          REQUIRE(r < rows);
          float& slot = back[r * cols + s.slot_col0[k] + index];
          CHECK(slot == 0.0f);  // no entry twice
          slot = v;
        }
      }
    std::size_t mismatches = 0;  // every entry, stored as its weight with the index bits
    for (std::size_t i = 0; i < w.size(); ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, &back[i], sizeof bits);
      mismatches += w[i] == 0.0f ? back[i] != 0.0f
                                 : back[i] != with_index_bits(w[i], bits & low, s.index_bits);
    }
    CHECK(mismatches == 0);
    // Random rows at 90% sparsity: each slot's one window load serves four registers of rows
    // (entries per vector load: 1.3 for 8-row slots with a separate index load).
    const double loads = double(s.slot_col0.size() * (1 + s.groups));
    CHECK(double(m.nnz()) / loads > 2.0);
  }
}

TEST_CASE("sparse kernels: a value with index bits is the nearest float that has them") {
  Rng rng(11);
  for (int i = 0; i < 2000; ++i) {
    const float v = rng.normal() * std::ldexp(1.0f, int(rng.below(40)) - 20);
    for (unsigned index = 0; index < 8; ++index) {
      const float s = with_index_bits(v, index, 3);
      std::uint32_t bits, vbits;
      std::memcpy(&bits, &s, sizeof bits);
      std::memcpy(&vbits, &v, sizeof vbits);
      CAPTURE(v);
      CAPTURE(index);
      CHECK((bits & 7u) == index);
      CHECK((bits >> 31) == (vbits >> 31));  // same sign
      const std::uint32_t distance = bits > vbits ? bits - vbits : vbits - bits;
      CHECK(distance <= 4);  // the nearest of the codes 8 apart: at most 4 units in the last place
      CHECK(std::fabs(double(s) - double(v)) <= std::ldexp(std::fabs(double(v)), -21));
    }
  }
  CHECK(with_index_bits(1.5f, 5, 0) == 1.5f);  // no bits: the value itself
}

TEST_CASE("sparse kernels: batch-1 product, every target, odd shapes, empty and full rows") {
  // Row r: empty when r % 5 == 0, every column when r % 5 == 1, else about a third. Row counts
  // around the 8-row groups and 32-row slices, columns around the 8-column windows.
  for (std::size_t rows : {1, 7, 9, 31, 33, 45, 67}) {
    for (std::size_t cols : {3, 8, 9, 15, 17, 100, 257}) {
      std::vector<float> w(rows * cols, 0.0f);
      Rng rng(rows * 1000 + cols);
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
          if (r % 5 == 1 || (r % 5 != 0 && rng.uniform() < 0.33)) w[r * cols + c] = rng.normal();
      const std::vector<float> x = random_vector(cols, 3), bias = random_vector(rows, 4);
      CsrMatrix m = csr_from_dense(w.data(), rows, cols);
      add_matvec_slices(m);
      for (const auto& [name, fns] : builds())
        for (const float* b : {bias.data(), static_cast<const float*>(nullptr)}) {
          CAPTURE(name);
          CAPTURE(rows);
          CAPTURE(cols);
          CAPTURE(b != nullptr);
          for (bool relu : {false, true}) {
            CAPTURE(relu);
            std::vector<float> y(rows + 1, -7.0f);
            fns.sparse_matvec_act(m, b, x.data(), y.data(), relu);
            for (std::size_t r = 0; r < rows; ++r) {
              double expected = b ? bias[r] : 0.0;
              for (std::size_t c = 0; c < cols; ++c) expected += double(w[r * cols + c]) * x[c];
              if (relu) expected = std::max(expected, 0.0);
              CAPTURE(r);
              CHECK(y[r] == doctest::Approx(expected).epsilon(1e-5));
            }
            CHECK(y[rows] == -7.0f);  // nothing written past the outputs
          }
        }
    }
  }
}

TEST_CASE("sparse kernels: shifted rows (direct convolution), every target") {
  const std::size_t rows = 75, cols = 40;
  const std::vector<float> w = ragged_matrix(rows, cols, 5), bias = random_vector(rows, 6);
  const CsrMatrix m = csr_from_dense(w.data(), rows, cols);
  std::vector<std::int32_t> col_offset(cols), row_base(rows);
  for (std::size_t c = 0; c < cols; ++c) col_offset[c] = std::int32_t((c * 37) % 101);
  for (std::size_t r = 0; r < rows; ++r) row_base[r] = std::int32_t(r % 3);
  for (std::size_t L : {1, 7, 8, 9, 16, 17, 31, 32, 33, 63, 64, 65, 130, 200}) {
    const std::vector<float> x = random_vector(101 + 3 + L, 7);
    for (const auto& [name, fns] : builds()) {
      CAPTURE(name);
      CAPTURE(L);
      const std::size_t ldy = L + 3;
      std::vector<float> y(rows * ldy, -7.0f);
      fns.sparse_rows_shifted(m, col_offset.data(), row_base.data(), bias.data(), x.data(), L,
                              y.data(), ldy);
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t p = 0; p < ldy; ++p) {
          if (p >= L) {  // past L: untouched (and x has no inputs for it)
            CHECK(y[r * ldy + p] == -7.0f);
            continue;
          }
          double expected = bias[r];
          for (std::size_t c = 0; c < cols; ++c)
            expected += double(w[r * cols + c]) * x[row_base[r] + col_offset[c] + p];
          CHECK(y[r * ldy + p] == doctest::Approx(expected).epsilon(1e-5));
        }
    }
  }
}

TEST_CASE("sparse kernels: strided rows (a batched Dense layer), every target") {
  const std::size_t rows = 45, cols = 71;
  const std::vector<float> w = ragged_matrix(rows, cols, 8), bias = random_vector(rows, 9);
  const CsrMatrix m = csr_from_dense(w.data(), rows, cols);
  for (std::size_t L : {1, 5, 8, 9, 32, 33, 64, 71}) {
    const std::size_t ldx = L + 2, ldy = L + 3;
    check_strided_rows(m, w, bias, random_vector(cols * ldx, 10), ldx, L, ldy);
  }
}

// Layers whose x outgrows L1 at these batches take the column-blocked loop (kernels/sparse.inl):
// every row written by the first block and ReLU'd by the last whatever its entries (empty rows,
// rows with entries in one block only, pairs of entries across a block edge), more rows than
// one chunk of cursors, strides wider than L.
TEST_CASE("sparse kernels: strided rows on wide layers (column blocks), every target") {
  const std::size_t rows = 530, cols = 700;
  std::vector<float> w(rows * cols, 0.0f);
  Rng rng(11);
  for (std::size_t r = 0; r < rows; ++r) {
    if (r % 7 == 0) continue;  // empty
    if (r % 7 == 1) {          // only the last columns
      for (std::size_t k = 0; k < 5; ++k) w[r * cols + cols - 1 - rng.below(40)] = rng.normal();
      continue;
    }
    for (std::size_t c = 0; c < cols; ++c)
      if (rng.uniform() < 0.2) w[r * cols + c] = rng.normal();
  }
  const std::vector<float> bias = random_vector(rows, 12);
  const CsrMatrix m = csr_from_dense(w.data(), rows, cols);
  for (std::size_t L : {64, 96, 128}) {
    const std::size_t ldx = L + 16, ldy = L + 5;
    check_strided_rows(m, w, bias, random_vector(cols * ldx, 13), ldx, L, ldy);
  }
}

TEST_CASE("kernel targets: names, the switch, what this CPU runs") {
  const KernelIsa saved = kernel_isa();
  CHECK(kernel_isa_runnable(KernelIsa::scalar));
  CHECK(kernel_isa_runnable(best_kernel_isa()));
  for (KernelIsa isa : all_kernel_isas) {
    CAPTURE(kernel_isa_name(isa));
    CHECK(parse_kernel_isa(kernel_isa_name(isa)) == isa);
    if (kernel_isa_runnable(isa)) {
      set_kernel_isa(isa);
      CHECK(kernel_isa() == isa);
      CHECK(int(isa) <= int(best_kernel_isa()));
    } else {
      CHECK_THROWS_AS(set_kernel_isa(isa), std::invalid_argument);
    }
  }
  CHECK_THROWS_AS(parse_kernel_isa("portable"), std::invalid_argument);
  set_kernel_isa(saved);
}

TEST_CASE("sparse kernels: transpose, both builds") {
  for (const auto& [name, fns] : builds())
    for (std::size_t rows : {1, 15, 16, 33, 64})
      for (std::size_t cols : {1, 17, 32, 64, 784}) {
        CAPTURE(name);
        CAPTURE(rows);
        CAPTURE(cols);
        const std::vector<float> a = random_vector(rows * cols, rows + cols);
        std::vector<float> t(rows * cols);
        fns.transpose(a.data(), rows, cols, t.data());
        bool same = true;
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t c = 0; c < cols; ++c) same = same && t[c * rows + r] == a[r * cols + c];
        CHECK(same);
      }
}

TEST_CASE("sparse kernels: sampled dots (the weight gradient of sparse training), every target") {
  // Rows of 0 to 70 entries; L around the vector widths and their tails.
  const std::size_t rows = 90, cols = 120;
  const std::vector<float> w = ragged_matrix(rows, cols, 9);
  const CsrMatrix m = csr_from_dense(w.data(), rows, cols);
  for (std::size_t L : {1, 3, 4, 7, 8, 9, 16, 17, 31, 64, 70}) {
    const std::vector<float> a = random_vector(rows * L, 10), b = random_vector(cols * L, 11);
    for (const auto& [name, fns] : builds()) {
      CAPTURE(name);
      CAPTURE(L);
      std::vector<float> out(m.nnz() + 1, -7.0f);
      fns.sampled_dots(m, a.data(), b.data(), L, out.data());
      for (std::size_t r = 0; r < rows; ++r)
        for (auto j = m.row_ptr[r]; j < m.row_ptr[r + 1]; ++j) {
          double expected = 0.0;
          for (std::size_t l = 0; l < L; ++l)
            expected += double(a[r * L + l]) * b[m.col[j] * L + l];
          CAPTURE(j);
          CHECK(out[j] == doctest::Approx(expected).epsilon(1e-5).scale(1.0));
        }
      CHECK(out[m.nnz()] == -7.0f);  // nothing written past the entries
    }
  }
}
