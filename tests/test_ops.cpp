#include <doctest/doctest.h>

#include <xtensor-blas/xlinalg.hpp>

#include "core/ops.h"
#include "gradcheck.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

TEST_CASE("matmul: values and Jacobian") {
  Variable a(Array{{1, 2, 3}, {4, 5, 6}}), b(Array{{1, 0}, {0, 1}, {1, 1}});
  Array expected{{4, 5}, {10, 11}};
  CHECK(matmul(a, b).data() == expected);
  check_jacobian([](auto& v) { return matmul(v[0], v[1]); },
                 {random_array({3, 4}, 1), random_array({4, 5}, 2)});
}

TEST_CASE("linear: with and without bias, input gradient optional") {
  Array x = random_array({4, 6}, 3), w = random_array({5, 6}, 4), b = random_array({5}, 5);
  SUBCASE("bias") {
    check_jacobian([](auto& v) { return linear(v[0], v[1], v[2]); }, {x, w, b});
  }
  SUBCASE("no bias") {
    check_jacobian([](auto& v) { return linear(v[0], v[1], Variable()); }, {x, w});
  }
  SUBCASE("input without gradient, as for the first layer") {
    check_jacobian([](auto& v) { return linear(v[0], v[1], v[2]); }, {x, w, b},
                   {false, true, true});
  }
  SUBCASE("matches matmul + add") {
    Variable vx(x), vw(w), vb(b);
    Array wt = xt::transpose(w);
    Array ref = matmul(vx, Variable(wt)).data() + b;
    CHECK(xt::allclose(linear(vx, vw, vb).data(), ref, 1e-5, 1e-5));
  }
}

TEST_CASE("broadcasting add, sub, mul reduce gradients to input shapes") {
  Array a = random_array({3, 4}, 6), row = random_array({4}, 7), col = random_array({3, 1}, 8);
  check_jacobian([](auto& v) { return add(v[0], v[1]); }, {a, row});
  check_jacobian([](auto& v) { return sub(v[0], v[1]); }, {a, col});
  check_jacobian([](auto& v) { return mul(v[0], v[1]); }, {a, row});
  check_jacobian([](auto& v) { return mul(v[0], v[1]); }, {a, random_array({3, 4}, 9)});
  CHECK_THROWS_WITH_AS(add(Variable(a), Variable(random_array({5}, 1))),
                       "add: shapes (3, 4) and (5) do not broadcast", std::invalid_argument);
}

TEST_CASE("activations: relu, tanh, sigmoid, scale") {
  Array x = random_array({2, 5}, 10);
  check_jacobian([](auto& v) { return relu(v[0]); }, {x});
  check_jacobian([](auto& v) { return poda::tanh(v[0]); }, {x});
  check_jacobian([](auto& v) { return sigmoid(v[0]); }, {x});
  check_jacobian([](auto& v) { return scale(v[0], -2.5f); }, {x});
  CHECK(relu(Variable(Array{-1.0f, 2.0f})).data() == Array{0.0f, 2.0f});
}

TEST_CASE("reductions: sum and mean") {
  Array x = random_array({3, 4}, 11);
  check_jacobian([](auto& v) { return sum(v[0]); }, {x});
  check_jacobian([](auto& v) { return mean(v[0]); }, {x});
  CHECK(mean(Variable(Array{1.0f, 2.0f, 3.0f, 6.0f})).data()(0) == doctest::Approx(3.0));
}

TEST_CASE("cross_entropy: value matches log-softmax by hand, Jacobian") {
  Array z{{1.0f, 2.0f, 3.0f}, {0.5f, 0.5f, 0.5f}};
  const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  const double l1 = std::log(3.0);
  CHECK(cross_entropy(Variable(z), {2, 0}).data()(0) == doctest::Approx((l0 + l1) / 2));
  check_jacobian(
      [](auto& v) {
        return cross_entropy(v[0], {1, 0, 3});
      },
      {random_array({3, 4}, 12, 0.0f, 3.0f)});
  CHECK_THROWS_AS(cross_entropy(Variable(z), {3, 0}), std::invalid_argument);
}

TEST_CASE("reshape and flatten") {
  Array x = random_array({2, 3, 4}, 13);
  check_jacobian([](auto& v) { return reshape(v[0], {4, 6}); }, {x});
  check_jacobian([](auto& v) { return flatten(v[0]); }, {x});
  CHECK(flatten(Variable(x)).shape() == Shape{2, 12});
}

TEST_CASE("a composite expression: gradients accumulate over shared inputs") {
  Array x = random_array({2, 3}, 14), w = random_array({3, 3}, 15);
  // x is used twice: the gradient must be the sum of both paths.
  check_jacobian([](auto& v) { return add(matmul(v[0], v[1]), poda::tanh(v[0])); }, {x, w});
}

TEST_CASE("matmul and linear agree with xtensor-blas's dot (an independent transpose path)") {
  const Array a = random_array({7, 13}, 21), b = random_array({13, 5}, 22);
  const Array w = random_array({5, 13}, 23);
  const Array ab = xt::linalg::dot(a, b);
  CHECK(xt::allclose(matmul(Variable(a), Variable(b)).data(), ab, 1e-5, 1e-5));
  const Array awt = xt::linalg::dot(a, xt::transpose(w));
  CHECK(xt::allclose(linear(Variable(a), Variable(w), Variable()).data(), awt, 1e-5, 1e-5));
}
