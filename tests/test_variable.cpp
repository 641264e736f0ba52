#include <doctest/doctest.h>

#include "core/ops.h"

using namespace poda;

TEST_CASE("backward accumulates into leaves and releases the graph") {
  Variable w(Array{2.0f, 3.0f}, true);
  Variable y = sum(mul(w, w));  // d/dw = 2w
  y.backward();
  CHECK(w.grad() == Array{4.0f, 6.0f});
  Variable y2 = sum(w);
  y2.backward();
  CHECK(w.grad() == Array{5.0f, 7.0f});  // accumulated, not overwritten
  w.zero_grad();
  CHECK_FALSE(w.has_grad());
}

TEST_CASE("the graph holds no cycles: it is freed with its outputs or by backward") {
  Variable w(Array{1.0f, 2.0f}, true);
  {
    Variable y = sum(relu(mul(w, w)));
    CHECK(w.use_count() > 1);  // the mul node holds w twice
  }
  CHECK(w.use_count() == 1);  // outputs gone: the whole graph went with them
  Variable h = mul(w, w);
  Variable y = sum(h);
  y.backward();
  CHECK(w.use_count() == 1);  // backward released the edges although h is still alive
  CHECK(h.use_count() == 1);
}

TEST_CASE("no-grad mode records nothing") {
  Variable w(Array{1.0f, -1.0f}, true);
  {
    NoGradGuard guard;
    CHECK_FALSE(grad_enabled());
    Variable y = relu(w);
    CHECK_FALSE(y.requires_grad());
  }
  CHECK(grad_enabled());
  CHECK(relu(w).requires_grad());
}

TEST_CASE("backward without a seed needs a scalar") {
  Variable w(Array{1.0f, 2.0f}, true);
  CHECK_THROWS_AS(relu(w).backward(), std::logic_error);
}
