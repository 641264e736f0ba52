#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "core/ops.h"
#include "gradcheck.h"
#include "nn/layers/activation.h"
#include "nn/layers/batch_norm.h"
#include "nn/layers/sequential.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

TEST_CASE("batch_norm: Jacobians in training and evaluation, 1d and 2d") {
  for (const Shape& shape : {Shape{5, 3}, Shape{3, 2, 3, 2}}) {
    CAPTURE(shape_str(shape));
    const std::size_t C = shape[1];
    const Array x = random_array(shape, 1), g = random_array({C}, 2), b = random_array({C}, 3);
    Array rm = random_array({C}, 4), rv = random_array({C}, 5, 0.5f, 2.0f);
    rv = xt::abs(rv);
    for (bool training : {true, false}) {
      CAPTURE(training);
      check_jacobian(
          [&](auto& v) {
            Array m = rm, s = rv;  // the update of running statistics is not under test here
            return batch_norm(v[0], v[1], v[2], m, s, training, 0.1f, 1e-5f);
          },
          {x, g, b}, {}, 1e-2, 3e-2, 3e-3);
    }
  }
}

TEST_CASE("batch_norm: training normalises per channel and updates running statistics") {
  // Channel 0 holds 1, 2, 3, 4 across batch and space; channel 1 is constant 5.
  Array x{{{{1, 2}}, {{5, 5}}}, {{{3, 4}}, {{5, 5}}}};  // (2, 2, 1, 2)
  Array rm = zeros_array({2}), rv = xt::ones<float>({2});
  Variable g(xt::ones<float>({2})), b(zeros_array({2}));
  Array y = batch_norm(Variable(x), g, b, rm, rv, true, 0.1f, 0.0f).data();
  const float s = 1.0f / std::sqrt(1.25f);  // biased variance of 1..4 is 1.25
  CHECK(y(0, 0, 0, 0) == doctest::Approx(-1.5 * s));
  CHECK(y(1, 0, 0, 1) == doctest::Approx(1.5 * s));
  CHECK(rm(0) == doctest::Approx(0.25));  // 0.9 * 0 + 0.1 * 2.5
  CHECK(rm(1) == doctest::Approx(0.5));
  CHECK(rv(0) == doctest::Approx(0.9 + 0.1 * 5.0 / 3.0));  // unbiased: 5/3
  CHECK(rv(1) == doctest::Approx(0.9));
  // Evaluation uses the running statistics and leaves them alone.
  Array before = rm;
  Array ye = batch_norm(Variable(x), g, b, rm, rv, false, 0.1f, 0.0f).data();
  CHECK(rm == before);
  CHECK(ye(0, 0, 0, 0) == doctest::Approx((1.0 - 0.25) / std::sqrt(rv(0))));
}

TEST_CASE("BatchNorm layer: 1d/2d by rank, names, train/eval switch") {
  BatchNorm bn(3, 3);
  CHECK(bn.type_name() == "BatchNorm2d");
  CHECK(BatchNorm(4, 1).type_name() == "BatchNorm1d");
  std::vector<std::string> names;
  for (auto& [n, p] : bn.named_parameters()) names.push_back(n);
  CHECK(names == std::vector<std::string>{"weight", "bias"});
  CHECK_FALSE(bn.weight().prunable);
  std::vector<std::string> bufs;
  for (auto& [n, b] : bn.named_buffers()) bufs.push_back(n);
  CHECK(bufs == std::vector<std::string>{"running_mean", "running_var"});
  CHECK(bn.output_shape({3, 8, 8}) == Shape{3, 8, 8});
  CHECK_THROWS_WITH_AS(bn.output_shape({4, 8, 8}),
                       "BatchNorm2d expects input (3, H, W) but gets (4, 8, 8)", ShapeError);
  Variable x(random_array({4, 3, 2, 2}, 9));
  bn.forward(x);
  const Array after_train = bn.running_mean();
  CHECK(xt::any(xt::not_equal(after_train, 0.0f)));
  bn.eval();
  bn.forward(x);
  CHECK(bn.running_mean() == after_train);
}

namespace {
// (B, C, H, W) values whose normalised forms sit at least 0.35 away from zero in every channel:
// per channel, +-magnitudes in [0.5, 1.6] around an offset, shuffled. The fused ReLU's kink is
// then never within a finite-difference step.
Array away_from_kink(const Shape& shape, std::uint64_t seed) {
  const std::size_t B = shape[0], C = shape[1], S = numel(shape) / (B * C), n = B * S;
  std::mt19937_64 rng(seed);
  Array x = empty_array(shape);
  for (std::size_t c = 0; c < C; ++c) {
    std::vector<float> v;
    for (std::size_t k = 0; k < n; ++k) {
      const float m = 0.5f + 1.1f * static_cast<float>(k / 2) / static_cast<float>(n / 2);
      v.push_back(0.3f * static_cast<float>(c) + (k % 2 ? m : -m));
    }
    std::shuffle(v.begin(), v.end(), rng);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t s = 0; s < S; ++s) x.data()[(b * C + c) * S + s] = v[b * S + s];
  }
  return x;
}
}  // namespace

TEST_CASE("batch_norm_relu: equals relu(batch_norm) and passes the Jacobian check") {
  for (const Shape& shape : {Shape{6, 3}, Shape{3, 2, 3, 2}}) {
    CAPTURE(shape_str(shape));
    const std::size_t C = shape[1];
    const Array x = away_from_kink(shape, 11), g = random_array({C}, 12);
    const Array b = zeros_array({C});  // keeps the pre-activations away from zero
    for (bool training : {true, false}) {
      CAPTURE(training);
      // Evaluation normalises with the running statistics: make them the batch's.
      Array rm = zeros_array({C}), rv = xt::ones<float>({C});
      if (!training) batch_norm(Variable(x), Variable(g), Variable(b), rm, rv, true, 1.0f, 0.0f);
      Array m1 = rm, v1 = rv, m2 = rm, v2 = rv;
      Variable x1(x, true), x2(x, true), g1(g, true), g2(g, true), b1(b, true), b2(b, true);
      Variable fused = batch_norm_relu(x1, g1, b1, m1, v1, training, 0.1f, 1e-5f);
      Variable plain = relu(batch_norm(x2, g2, b2, m2, v2, training, 0.1f, 1e-5f));
      CHECK(xt::allclose(fused.data(), plain.data(), 1e-5, 1e-6));
      CHECK(xt::allclose(m1, m2));
      CHECK(xt::allclose(v1, v2));
      const Array seed = random_array(fused.shape(), 13);
      fused.backward(seed);
      plain.backward(seed);
      CHECK(xt::allclose(x1.grad(), x2.grad(), 1e-4, 1e-5));
      CHECK(xt::allclose(g1.grad(), g2.grad(), 1e-4, 1e-5));
      CHECK(xt::allclose(b1.grad(), b2.grad(), 1e-4, 1e-5));
      check_jacobian(
          [&](auto& v) {
            Array m = rm, s = rv;
            return batch_norm_relu(v[0], v[1], v[2], m, s, training, 0.1f, 1e-5f);
          },
          {x, g, b}, {}, 1e-2, 3e-2, 3e-3);
    }
  }
}

TEST_CASE("Sequential: BatchNorm then ReLU runs fused and gives the unfused result") {
  Sequential fused_model, plain_model;
  fused_model.add("bn", std::make_shared<BatchNorm>(2, 3)).add("relu", std::make_shared<ReLU>());
  plain_model.add("bn", std::make_shared<BatchNorm>(2, 3));
  const Array x = random_array({4, 2, 3, 3}, 14);
  const Array y_fused = fused_model.forward(Variable(x)).data();
  const Array y_bn = plain_model.forward(Variable(x)).data();
  CHECK(xt::allclose(y_fused, xt::maximum(y_bn, 0.0f)));
}
