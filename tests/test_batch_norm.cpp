#include <doctest/doctest.h>

#include "core/ops.h"
#include "gradcheck.h"
#include "nn/layers/batch_norm.h"

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
      check_jacobian([&](auto& v) {
        Array m = rm, s = rv;  // the update of running statistics is not under test here
        return batch_norm(v[0], v[1], v[2], m, s, training, 0.1f, 1e-5f);
      }, {x, g, b}, {}, 1e-2, 3e-2, 3e-3);
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
