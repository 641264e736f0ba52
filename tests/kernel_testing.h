#pragma once
// What the kernel tests share: normal inputs from poda's own generator (the same for a
// seed), the kernel targets this CPU can run, and the double-precision check of a
// matrix-vector product.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "kernels/isa.h"
#include "core/random.h"

namespace poda::testing {

inline std::vector<float> random_vector(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  Rng rng(seed);
  for (float& x : v) x = rng.normal();
  return v;
}

// Every kernel target this CPU can run (scalar always).
inline std::vector<KernelIsa> kernel_isas() {
  std::vector<KernelIsa> list;
  for (KernelIsa isa : all_kernel_isas)
    if (kernel_isa_runnable(isa)) list.push_back(isa);
  return list;
}

// A kernel family's build for every target this CPU can run, by target name.
template <class Fns>
std::vector<std::pair<const char*, Fns>> builds_of(const IsaTable<Fns>& table) {
  std::vector<std::pair<const char*, Fns>> list;
  for (KernelIsa isa : kernel_isas()) list.push_back({kernel_isa_name(isa), table.at(isa)});
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
