// The sparse training path of Dense (core/sparse_linear.h): the pattern, the op against
// linear() on the masked weight, its full Jacobian, and the layer's choice of path.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "core/sparse_linear.h"
#include "gradcheck.h"
#include "nn/layers/dense.h"

using namespace poda;
using poda::testing::random_array;

namespace {

// (rows, cols) of 0/1 keeping about `keep` of the entries, seeded; row 1 kept whole and
// row 2 empty, so both ends of a row's length are covered.
Array random_mask(std::size_t rows, std::size_t cols, double keep, std::uint64_t seed) {
  Array m = zeros_array({rows, cols});
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      m(r, c) = (r == 1 || (r != 2 && rng.uniform() < keep)) ? 1.0f : 0.0f;
  return m;
}

// Restores the process-wide mode at the end of a test.
struct ModeGuard {
  SparseTraining saved = sparse_training();
  explicit ModeGuard(SparseTraining m) { set_sparse_training(m); }
  ~ModeGuard() { set_sparse_training(saved); }
};

void check_close(const Array& a, const Array& b, double eps) {
  REQUIRE(a.shape() == b.shape());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(a.data()[i] == doctest::Approx(b.data()[i]).epsilon(eps).scale(1.0));
  }
}

}  // namespace

TEST_CASE("sparse pattern: both CSRs hold the mask's entries with their flat indices") {
  const Array mask = random_mask(7, 11, 0.3, 1);
  const auto p = build_sparse_pattern(mask.data(), 7, 11);
  std::size_t kept = 0;
  for (float v : mask) kept += v != 0.0f;
  REQUIRE(p->nnz() == kept);
  for (std::size_t r = 0; r < 7; ++r)
    for (auto j = p->w.row_ptr[r]; j < p->w.row_ptr[r + 1]; ++j)
      CHECK(p->flat[j] == r * 11 + p->w.col[j]);
  for (std::size_t c = 0; c < 11; ++c)
    for (auto k = p->wt.row_ptr[c]; k < p->wt.row_ptr[c + 1]; ++k)
      CHECK(p->flat_t[k] == p->wt.col[k] * 11 + c);
  Array w = random_array({7, 11}, 2);
  gather_pattern_values(*p, w.data(), true);
  for (std::size_t k = 0; k < kept; ++k) CHECK(p->wt.val[k] == w.data()[p->flat_t[k]]);
  std::vector<float> too_wide(2 * 70000, 1.0f);
  CHECK_THROWS_AS(build_sparse_pattern(too_wide.data(), 70000, 2), std::invalid_argument);
}

TEST_CASE("sparse_linear: output and gradients match linear() on the masked weight") {
  // Batches around the vector widths (the kernels run along the batch).
  for (std::size_t B : {1, 5, 8, 33, 64}) {
    CAPTURE(B);
    const std::size_t in = 37, out = 19;
    const Array mask = random_mask(out, in, 0.2, B);
    const Array xv = random_array({B, in}, 3), wv = random_array({out, in}, 4),
                bv = random_array({out}, 5), dy = random_array({B, out}, 6);
    Variable x1(xv, true), w1(wv, true), b1(bv, true);
    Variable y1 = linear(x1, mul(w1, Variable(mask, false)), b1);
    y1.backward(dy);
    Variable x2(xv, true), w2(wv, true), b2(bv, true);
    Variable y2 = sparse_linear(x2, w2, build_sparse_pattern(mask.data(), out, in), b2);
    y2.backward(dy);
    check_close(y2.data(), y1.data(), 1e-5);
    check_close(x2.grad(), x1.grad(), 1e-5);
    check_close(w2.grad(), w1.grad(), 1e-5);
    check_close(b2.grad(), b1.grad(), 1e-5);
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (mask.data()[i] == 0.0f) CHECK(w2.grad().data()[i] == 0.0f);
  }
}

TEST_CASE("sparse_linear: finite-difference Jacobian for x, weight and bias") {
  const std::size_t B = 3, in = 6, out = 4;
  const Array mask = random_mask(out, in, 0.5, 7);
  const auto pattern = build_sparse_pattern(mask.data(), out, in);
  poda::testing::check_jacobian(
      [&](std::vector<Variable>& v) { return sparse_linear(v[0], v[1], pattern, v[2]); },
      {random_array({B, in}, 8), random_array({out, in}, 9), random_array({out}, 10)});
  // Without a bias, and with an input that needs no gradient (a first layer).
  poda::testing::check_jacobian(
      [&](std::vector<Variable>& v) { return sparse_linear(v[0], v[1], pattern, Variable()); },
      {random_array({B, in}, 11), random_array({out, in}, 12)}, {false, true});
}

TEST_CASE("sparse_linear: shapes that do not fit are refused, naming both") {
  const Array mask = random_mask(4, 6, 0.5, 1);
  const auto pattern = build_sparse_pattern(mask.data(), 4, 6);
  CHECK_THROWS_WITH_AS(sparse_linear(Variable(zeros_array({2, 5})), Variable(zeros_array({4, 6})),
                                     pattern, Variable()),
                       doctest::Contains("(2, 5)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(sparse_linear(Variable(zeros_array({2, 6})), Variable(zeros_array({5, 6})),
                                     pattern, Variable()),
                       doctest::Contains("pattern (4, 6)"), std::invalid_argument);
}

TEST_CASE("Dense: the sparse path follows the mask through every change") {
  Rng rng1(1), rng2(1);  // the same weights
  Dense sparse_layer(40, 12, true, Init::kaiming_uniform, rng1);
  Dense dense_layer(40, 12, true, Init::kaiming_uniform, rng2);
  const Array x = random_array({9, 40}, 2);
  for (double keep : {0.3, 0.1, 0.6}) {  // a pruning round, another, then a regrowth
    CAPTURE(keep);
    const Array mask = random_mask(12, 40, keep, std::uint64_t(keep * 100));
    sparse_layer.weight().set_mask(mask);
    dense_layer.weight().set_mask(mask);
    Array y_sparse, y_dense;
    {
      ModeGuard forced(SparseTraining::forced);
      y_sparse = sparse_layer.forward(Variable(x)).data();
    }
    {
      ModeGuard off(SparseTraining::off);
      y_dense = dense_layer.forward(Variable(x)).data();
    }
    check_close(y_sparse, y_dense, 1e-5);
  }
}

TEST_CASE("Dense: the measured choice is made once per shape and logged") {
  ModeGuard measured(SparseTraining::measured);
  clear_sparse_linear_choices();
  Rng rng(3);
  Dense layer(300, 100, true, Init::kaiming_uniform, rng);
  layer.weight().set_mask(random_mask(100, 300, 0.05, 4));
  const Variable x(random_array({64, 300}, 5), false);
  const Array first = layer.forward(x).data();
  const Array again = layer.forward(x).data();
  CHECK(first == again);
  const std::string log = sparse_linear_choices_text();
  CHECK(log.find("300 ->  100  batch   64") != std::string::npos);
  CHECK(std::count(log.begin(), log.end(), '\n') == 1);
  // A product too small to matter is not timed (and stays dense).
  layer.forward(Variable(random_array({2, 300}, 6), false));
  CHECK(sparse_linear_choices_text() == log);
  clear_sparse_linear_choices();
}
