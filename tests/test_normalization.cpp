#include <doctest/doctest.h>

#include <cmath>

#include "data/data_error.h"
#include "data/normalization.h"
#include "data_files.h"

using namespace poda;
using namespace poda::testing;

TEST_CASE("normalisation statistics per channel on the [0, 1] scale") {
  // channel 0 sees {0, 255, 255, 0}; channel 1 is constant 51.
  const ImageSet set = image_set(2, 2, 1, 2, {0, 255, 51, 51, 255, 0, 51, 51}, {0, 1});
  const Normalization n = compute_normalization(set);
  REQUIRE(n.mean.size() == 2);
  CHECK(n.mean[0] == doctest::Approx(0.5).epsilon(1e-6));
  CHECK(n.std[0] == doctest::Approx(0.5).epsilon(1e-6));
  CHECK(n.mean[1] == doctest::Approx(0.2).epsilon(1e-6));
  CHECK(n.std[1] == 1.0f);  // constant channel: no division by zero
}

TEST_CASE("normalisation matches a direct two-pass computation") {
  ImageSet set = image_set(37, 3, 5, 7);
  std::uint32_t x = 12345;
  for (std::size_t i = 0; i < set.count * set.sample_size(); ++i) {
    x = x * 1664525u + 1013904223u;
    set.pixels.push_back(std::uint8_t(x >> 24));
  }
  set.labels.assign(set.count, 0);
  const Normalization n = compute_normalization(set);
  for (std::size_t c = 0; c < 3; ++c) {
    CAPTURE(c);
    double sum = 0, count = 0;
    for (std::size_t i = 0; i < set.count; ++i)
      for (std::size_t k = 0; k < 35; ++k, ++count) sum += set.pixels[(i * 3 + c) * 35 + k] / 255.0;
    const double mean = sum / count;
    double sq = 0;
    for (std::size_t i = 0; i < set.count; ++i)
      for (std::size_t k = 0; k < 35; ++k) {
        const double d = set.pixels[(i * 3 + c) * 35 + k] / 255.0 - mean;
        sq += d * d;
      }
    CHECK(n.mean[c] == doctest::Approx(mean).epsilon(1e-6));
    CHECK(n.std[c] == doctest::Approx(std::sqrt(sq / count)).epsilon(1e-5));
  }
  CHECK_THROWS_AS(compute_normalization(ImageSet{}), DataError);
}
