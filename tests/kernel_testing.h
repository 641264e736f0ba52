#pragma once
// What the kernel tests share: normal inputs from poda's own generator (the same for a
// seed), the kernel builds this CPU can run, and the double-precision check of a
// matrix-vector product.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/kernel_isa.h"
#include "core/random.h"

namespace poda::testing {

inline std::vector<float> random_vector(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  Rng rng(seed);
  for (float& x : v) x = rng.normal();
  return v;
}

// The portable build, and the AVX-512 one where this CPU has it.
inline std::vector<KernelIsa> kernel_isas() {
  std::vector<KernelIsa> list{KernelIsa::portable};
  if (avx512_kernels_available()) list.push_back(KernelIsa::avx512);
  return list;
}

// y (rows, then one sentinel -7 past them) against act(bias + W · x) in double, with
// weight(r, c) reading W in whatever layout the kernel took it.
template <class Weight>
void check_matvec(const std::vector<float>& y, std::size_t rows, std::size_t cols, Weight weight,
                  const std::vector<float>& bias, const std::vector<float>& x, bool relu) {
  for (std::size_t r = 0; r < rows; ++r) {
    double expected = bias[r];
    for (std::size_t c = 0; c < cols; ++c) expected += double(weight(r, c)) * x[c];
    if (relu) expected = std::max(expected, 0.0);
    CAPTURE(r);
    CHECK(y[r] == doctest::Approx(expected).epsilon(1e-5));
  }
  CHECK(y[rows] == -7.0f);  // nothing written past the outputs
}

}  // namespace poda::testing
