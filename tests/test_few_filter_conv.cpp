// The few-filter convolution against a double-precision loop, in both builds (portable and
// AVX-512): kernels 3 and 5, one to three filters and channels, maps whose heights split
// unevenly into row blocks and whose widths leave partial vectors; the junk columns of each
// wide output row stay untouched.
#include <doctest/doctest.h>

#include <vector>

#include "core/random.h"
#include "infer/few_filter_conv.h"
#include "infer/sparse_kernels.h"

using namespace poda;

namespace {

using FewFilters = void (*)(const float*, std::size_t, std::size_t, std::size_t, const float*,
                            const float*, std::size_t, std::size_t, float*, std::size_t);

std::vector<std::pair<const char*, FewFilters>> builds() {
  std::vector<std::pair<const char*, FewFilters>> b{
      {"portable", kernels::conv_few_filters_portable}};
  if (avx512_kernels_available()) b.push_back({"avx512", kernels::conv_few_filters_avx512});
  return b;
}

std::vector<float> random_vector(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  Rng rng(seed);
  for (float& x : v) x = rng.normal();
  return v;
}

}  // namespace

TEST_CASE("few-filter convolution: every shape around the row blocks and vector widths") {
  const float untouched = -7.0f;
  for (std::size_t k : {3, 5})
    for (std::size_t filters : {1, 2, 3})
      for (std::size_t c_in : {1, 3})
        for (std::size_t oh : {1, 5, 8, 9, 17, 28})
          for (std::size_t ow : {1, 10, 16, 17, 28, 33}) {
            const std::size_t wp = ow + k - 1, plane = (oh + k - 1) * wp;
            const std::size_t y_plane = oh * wp + 2;  // planes apart by more than a map
            const std::vector<float> w = random_vector(filters * c_in * k * k, k + filters),
                                     bias = random_vector(filters, c_in),
                                     xp = random_vector(c_in * plane, oh * 100 + ow);
            for (const auto& [name, fn] : builds()) {
              CAPTURE(name);
              CAPTURE(k);
              CAPTURE(filters);
              CAPTURE(c_in);
              CAPTURE(oh);
              CAPTURE(ow);
              std::vector<float> y(filters * y_plane, untouched);
              fn(w.data(), filters, c_in, k, bias.data(), xp.data(), oh, ow, y.data(), y_plane);
              for (std::size_t f = 0; f < filters; ++f)
                for (std::size_t i = 0; i < oh; ++i)
                  for (std::size_t j = 0; j < wp; ++j) {
                    double expected = bias[f];
                    for (std::size_t c = 0; c < c_in; ++c)
                      for (std::size_t kh = 0; kh < k; ++kh)
                        for (std::size_t kw = 0; kw < k; ++kw)
                          if (j < ow)
                            expected += double(w[((f * c_in + c) * k + kh) * k + kw]) *
                                        xp[c * plane + (i + kh) * wp + j + kw];
                    if (j >= ow) expected = untouched;
                    CHECK(y[f * y_plane + i * wp + j] == doctest::Approx(expected).epsilon(1e-5));
                  }
            }
          }
}
