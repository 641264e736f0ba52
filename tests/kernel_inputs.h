#pragma once
// Inputs for the kernel tests: normal values from poda's own generator, the same for a seed.
#include <cstdint>
#include <vector>

#include "core/random.h"

namespace poda::testing {

inline std::vector<float> random_vector(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  Rng rng(seed);
  for (float& x : v) x = rng.normal();
  return v;
}

}  // namespace poda::testing
