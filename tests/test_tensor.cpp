#include <doctest/doctest.h>
#include "core/tensor.h"
TEST_CASE("shape_str formats dimensions") {
  CHECK(poda::shape_str({64, 784}) == "(64, 784)");
  CHECK(poda::numel({2, 3, 4}) == 24);
}
