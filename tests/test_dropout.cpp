#include <doctest/doctest.h>

#include "core/ops.h"
#include "gradcheck.h"
#include "nn/layers/dropout.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

TEST_CASE("dropout: drops about p, scales the rest, Jacobian for a fixed draw") {
  Rng rng(1);
  Variable x(xt::ones<float>({100, 100}));
  Array y = dropout(x, 0.3f, rng).data();
  const double kept = static_cast<double>(xt::sum(xt::not_equal(y, 0.0f))());
  CHECK(kept / 10000.0 == doctest::Approx(0.7).epsilon(0.03));
  CHECK(xt::amax(y)() == doctest::Approx(1.0 / 0.7));
  // A fresh generator with the same seed per call: the same draw, so f is a function.
  check_jacobian(
      [](auto& v) {
        Rng r(7);
        return dropout(v[0], 0.5f, r);
      },
      {random_array({3, 4}, 2)});
  CHECK_THROWS_AS(dropout(x, 1.0f, rng), std::invalid_argument);
}

TEST_CASE("Dropout layer: seeded, identity in evaluation") {
  Variable x(random_array({4, 8}, 3));
  Dropout a(0.5f, 42), b(0.5f, 42);
  CHECK(a.forward(x).data() == b.forward(x).data());
  CHECK_FALSE(a.forward(x).data() == x.data());
  a.eval();
  CHECK(a.forward(x).data() == x.data());
}
