#include <doctest/doctest.h>

#include "core/ops.h"
#include "gradcheck.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

TEST_CASE("max_pool2d: values and Jacobian with stride, overlap and padding") {
  Array x{{{{1, 2, 5, 0}, {3, 4, -1, 6}, {0, 0, 7, 8}, {9, -2, 1, 1}}}};
  CHECK(max_pool2d(Variable(x), 2, 2, 0).data() == Array{{{{4, 6}, {9, 8}}}});
  // Padding never wins, even against negative inputs.
  Array neg = -xt::ones<float>({1, 1, 2, 2});
  CHECK(max_pool2d(Variable(neg), 2, 1, 1).data() == -xt::ones<float>({1, 1, 3, 3}));
  // Distinct values so the maximum is unique and the finite difference does not jump.
  Array r = random_array({2, 2, 5, 5}, 1);
  for (std::size_t i = 0; i < r.size(); ++i) r.data()[i] = 0.05f * i * (i % 2 ? 1 : -1);
  check_jacobian([](auto& v) { return max_pool2d(v[0], 2, 2, 0); }, {r}, {}, 1e-3);
  check_jacobian([](auto& v) { return max_pool2d(v[0], 3, 2, 1); }, {r}, {}, 1e-3);
  check_jacobian([](auto& v) { return max_pool2d(v[0], 2, 1, 0); }, {r}, {}, 1e-3);
}

TEST_CASE("avg_pool2d: values (padding counts as zero) and Jacobian") {
  Array x{{{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}}}};
  CHECK(avg_pool2d(Variable(x), 2, 2, 0).data() == Array{{{{3.5f, 5.5f}, {11.5f, 13.5f}}}});
  CHECK(avg_pool2d(Variable(x), 2, 2, 1).data()(0, 0, 0, 0) == doctest::Approx(0.25));
  Array r = random_array({2, 3, 5, 4}, 2);
  check_jacobian([](auto& v) { return avg_pool2d(v[0], 2, 2, 0); }, {r});
  check_jacobian([](auto& v) { return avg_pool2d(v[0], 3, 2, 1); }, {r});
}

TEST_CASE("global_avg_pool: (B, C, H, W) -> (B, C), Jacobian") {
  Array x{{{{1, 2}, {3, 4}}, {{0, 0}, {0, 8}}}};
  CHECK(global_avg_pool(Variable(x)).data() == Array{{2.5f, 2.0f}});
  check_jacobian([](auto& v) { return global_avg_pool(v[0]); }, {random_array({2, 3, 3, 2}, 3)});
}

TEST_CASE("pooling rejects windows that do not fit") {
  Variable x(zeros_array({1, 1, 2, 2}));
  CHECK_THROWS_WITH_AS(max_pool2d(x, 3, 3, 0),
                       "max_pool2d: kernel 3, padding 0 does not fit (1, 1, 2, 2)",
                       std::invalid_argument);
  CHECK_THROWS_AS(avg_pool2d(x, 2, 2, 2), std::invalid_argument);
  CHECK_THROWS_AS(global_avg_pool(Variable(zeros_array({2, 3}))), std::invalid_argument);
}
