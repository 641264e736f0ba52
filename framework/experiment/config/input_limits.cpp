#include "experiment/config/input_limits.h"

namespace poda {

std::optional<std::size_t> product_within(std::size_t a, std::size_t b, std::size_t limit) {
  if (a == 0 || b == 0) return 0;
  if (a > limit / b) return std::nullopt;  // a * b > limit, decided without overflowing
  return a * b;
}

}  // namespace poda
