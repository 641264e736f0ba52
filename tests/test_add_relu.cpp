// add_relu (core/add_relu.h): relu(a + b) in one op, and the residual block that runs it when a
// ReLU layer follows (nn/layers/residual.h).
#include <doctest/doctest.h>

#include <memory>

#include "core/add_relu.h"
#include "core/ops.h"
#include "gradcheck.h"
#include "nn/layers/activation.h"
#include "nn/layers/residual.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

TEST_CASE("add_relu: Jacobian, equals relu(add), same input twice, shape errors") {
  const Array a = random_array({2, 3, 4}, 31);
  const Array b = random_array({2, 3, 4}, 32, 0.01f, 0.04f);  // |a + b| >= 0.06: no kink probed
  check_jacobian([](auto& v) { return add_relu(v[0], v[1]); }, {a, b});
  check_jacobian([](auto& v) { return add_relu(v[0], v[1]); }, {a, b}, {true, false});
  check_jacobian([](auto& v) { return add_relu(v[0], v[0]); }, {a});

  const Array dy = random_array({2, 3, 4}, 33);
  Variable fa(a, true), fb(b, true), ua(a, true), ub(b, true);
  Variable fused = add_relu(fa, fb), plain = relu(add(ua, ub));
  CHECK(fused.data() == plain.data());
  fused.backward(dy);
  plain.backward(dy);
  CHECK(fa.grad() == ua.grad());
  CHECK(fb.grad() == ub.grad());

  CHECK_THROWS_WITH_AS(add_relu(Variable(a), Variable(random_array({2, 3}, 1))),
                       "add_relu: shapes (2, 3, 4) and (2, 3) differ", std::invalid_argument);
}

TEST_CASE("residual block fuses the ReLU after it") {
  auto body = std::make_shared<Sequential>();
  body->add("act", std::make_shared<ReLU>());
  Residual block(body, nullptr);
  ReLU next;
  const Array x = random_array({2, 5}, 41);
  const Array dy = random_array({2, 5}, 42);
  Variable fx(x, true), ux(x, true);
  Variable fused = block.forward_fused_with(fx, next);
  REQUIRE(fused.defined());
  Variable plain = relu(block.forward(ux));
  CHECK(fused.data() == plain.data());
  fused.backward(dy);
  plain.backward(dy);
  CHECK(fx.grad() == ux.grad());
  CHECK_FALSE(block.forward_fused_with(fx, *body).defined());  // not a ReLU: no fusion
}
