// The sparse training path of Conv2d (core/sparse_conv2d.h): the op against conv2d on the
// masked weight, its finite-difference Jacobian, and the training trajectory of a small
// conv net over 1,000 steps against the masked dense path.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "core/sparse_conv2d.h"
#include "core/sparse_linear.h"
#include "gradcheck.h"
#include "nn/layers/activation.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/dense.h"
#include "nn/layers/flatten.h"
#include "nn/layers/sequential.h"
#include "train/optimizer.h"

using namespace poda;
using poda::testing::random_array;

namespace {

// A 0/1 mask keeping about `keep`, seeded; filter 1 kept whole, filter 2 empty.
Array conv_mask(const Shape& shape, double keep, std::uint64_t seed) {
  Array m = zeros_array(shape);
  Rng rng(seed);
  const std::size_t per_filter = m.size() / shape[0];
  for (std::size_t i = 0; i < m.size(); ++i) {
    const std::size_t f = i / per_filter;
    m.data()[i] = (f == 1 || (f != 2 && rng.uniform() < keep)) ? 1.0f : 0.0f;
  }
  return m;
}

void check_close(const Array& a, const Array& b, double tol) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(a.data()[i] == doctest::Approx(b.data()[i]).epsilon(tol).scale(1.0));
  }
}

std::shared_ptr<SparsePattern> pattern_of(const Array& mask) {
  const std::size_t rows = mask.shape()[0];
  return build_sparse_pattern(mask.data(), rows, mask.size() / rows);
}

}  // namespace

TEST_CASE("sparse_conv2d: output and gradients match conv2d on the masked weight") {
  struct Case {
    std::size_t B, C, H, O, k;
    Conv2dOptions o;
  };
  for (const Case& c : {Case{3, 2, 9, 5, 3, {}}, Case{2, 3, 8, 4, 3, {2, 1, 1, 1}},
                        Case{1, 4, 10, 6, 3, {1, 2, 2, 1}}, Case{5, 1, 12, 7, 5, {}}}) {
    CAPTURE(c.B);
    CAPTURE(c.C);
    const Array mask = conv_mask({c.O, c.C, c.k, c.k}, 0.3, c.H);
    const Array xv = random_array({c.B, c.C, c.H, c.H}, 1),
                wv = random_array({c.O, c.C, c.k, c.k}, 2), bv = random_array({c.O}, 3);
    Variable x1(xv, true), w1(wv, true), b1(bv, true);
    Variable y1 = conv2d(x1, mul(w1, Variable(mask, false)), b1, c.o);
    const Array dy = random_array(y1.shape(), 4);
    y1.backward(dy);
    Variable x2(xv, true), w2(wv, true), b2(bv, true);
    Variable y2 = sparse_conv2d(x2, w2, pattern_of(mask), b2, c.o);
    y2.backward(dy);
    check_close(y2.data(), y1.data(), 1e-5);
    check_close(x2.grad(), x1.grad(), 1e-5);
    check_close(w2.grad(), w1.grad(), 1e-5);
    check_close(b2.grad(), b1.grad(), 1e-5);
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (mask.data()[i] == 0.0f) CHECK(w2.grad().data()[i] == 0.0f);
  }
}

TEST_CASE("sparse_conv2d: finite-difference Jacobian; shapes that do not fit are refused") {
  const Array mask = conv_mask({3, 2, 3, 3}, 0.5, 5);
  const auto pattern = pattern_of(mask);
  const Conv2dOptions o{1, 1, 1, 1};
  poda::testing::check_jacobian(
      [&](std::vector<Variable>& v) { return sparse_conv2d(v[0], v[1], pattern, v[2], o); },
      {random_array({2, 2, 5, 5}, 6), random_array({3, 2, 3, 3}, 7), random_array({3}, 8)});
  poda::testing::check_jacobian(
      [&](std::vector<Variable>& v) { return sparse_conv2d(v[0], v[1], pattern, Variable(), o); },
      {random_array({1, 2, 4, 4}, 9), random_array({3, 2, 3, 3}, 10)}, {false, true});
  CHECK_THROWS_AS(sparse_conv2d(Variable(zeros_array({1, 3, 5, 5})),
                                Variable(zeros_array({3, 2, 3, 3})), pattern, Variable(), o),
                  std::invalid_argument);
  CHECK_THROWS_AS(sparse_conv2d(Variable(zeros_array({1, 2, 5, 5})),
                                Variable(zeros_array({3, 2, 2, 2})), pattern, Variable(), o),
                  std::invalid_argument);
}

namespace {

constexpr std::size_t batch = 16, steps = 1000, side = 8;

std::shared_ptr<Sequential> conv_net() {
  Rng rng(3);
  auto net = std::make_shared<Sequential>();
  Conv2dSettings s;
  s.in_channels = 2, s.out_channels = 8, s.kernel = 3, s.padding = 1;
  net->add("conv1", std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng));
  net->add("relu1", std::make_shared<ReLU>());  // the fused conv + relu path
  s.in_channels = 8, s.out_channels = 6, s.padding = 0;
  net->add("conv2", std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng));
  net->add("flatten", std::make_shared<Flatten>());
  net->add("fc", std::make_shared<Dense>(6 * 36, 3, true, Init::kaiming_uniform, rng));
  return net;
}

// Losses of `steps` SGD steps (momentum, weight decay) on the conv net with fixed masks,
// masks shrunk half way, on one path.
std::vector<float> conv_trajectory(SparseTraining mode) {
  set_sparse_training(mode);
  auto net = conv_net();
  Rng rng(11);
  auto prune = [&](double keep, std::uint64_t seed) {
    for (auto& [name, p] : net->named_parameters())
      if (p->prunable && p->value.data().dimension() == 4) {
        Array m = conv_mask(p->value.shape(), keep, seed);
        if (p->has_mask()) m *= p->mask.data();
        p->set_mask(m);
      }
  };
  prune(0.3, 1);
  Sgd sgd(net->parameters(), 0.02f, SgdSettings{0.9f, false, 5e-4f});
  const Array centres = random_array({3, 2, side, side}, 12, 0.0f, 1.0f);
  std::vector<float> losses;
  for (std::size_t step = 0; step < steps; ++step) {
    if (step == steps / 2) prune(0.5, 2);
    Array x = empty_array({batch, 2, side, side});
    std::vector<int> labels;
    for (std::size_t b = 0; b < batch; ++b) {
      const int label = int(rng.below(3));
      labels.push_back(label);
      for (std::size_t i = 0; i < 2 * side * side; ++i)
        x.data()[b * 2 * side * side + i] =
            centres.data()[label * 2 * side * side + i] + rng.normal();
    }
    sgd.zero_grad();
    Variable loss = cross_entropy(net->forward(Variable(x)), labels);
    losses.push_back(loss.data()(0));
    loss.backward();
    sgd.step();
  }
  set_sparse_training(SparseTraining::measured);
  return losses;
}

}  // namespace

TEST_CASE("Conv2d: the sparse path gives the masked dense path's trajectory over 1,000 steps") {
  const std::vector<float> dense = conv_trajectory(SparseTraining::off);
  const std::vector<float> sparse = conv_trajectory(SparseTraining::forced);
  REQUIRE(dense.size() == steps);
  // Plus 1e-7: a loss near zero is a difference of terms near 1 (log-sum-exp minus the
  // label's logit), resolved to about 6e-8; the two paths' sums in a different order (e.g.
  // 16-lane against 8-lane dot products) differ by that much at losses of 3e-4.
  for (std::size_t s = 0; s < steps; ++s) {
    CAPTURE(s);
    CHECK(std::abs(sparse[s] - dense[s]) <= 1e-4 * std::abs(dense[s]) + 1e-7);
  }
  CHECK(dense.back() < 0.8 * dense.front());  // it learned: not two flat lines compared
}
