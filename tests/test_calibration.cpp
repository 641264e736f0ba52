#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "quantize/calibration.h"

using namespace poda;

namespace {
std::vector<float> ramp(int from, int to) {  // from, from+1, ..., to-1
  std::vector<float> v;
  for (int i = from; i < to; ++i) v.push_back(static_cast<float>(i));
  return v;
}
}  // namespace

TEST_CASE("percentile_of: nearest rank") {
  std::vector<float> v = ramp(0, 1000);
  CHECK(percentile_of(v, 99.0) == 989.0f);
  CHECK(percentile_of(v, 1.0) == 9.0f);
  CHECK(percentile_of(v, 100.0) == 999.0f);
  CHECK(percentile_of(v, 0.0) == 0.0f);
  std::vector<float> one = {4.0f};
  CHECK(percentile_of(one, 50.0) == 4.0f);
}

TEST_CASE("RangeObserver min_max: extremes over all batches, then stops") {
  RangeObserver obs({CalibrationMethod::min_max, 2, 99.0});
  CHECK(obs.observe(std::vector<float>{0.5f, 2.0f, -1.0f}));
  CHECK(obs.observe(std::vector<float>{3.0f, 0.0f}));
  CHECK(obs.full());
  CHECK_FALSE(obs.observe(std::vector<float>{100.0f, -100.0f}));  // past `batches`: ignored
  CHECK(obs.batches_seen() == 2);
  CHECK(obs.range() == std::pair<float, float>{-1.0f, 3.0f});
  const QuantGrid g = obs.grid();
  CHECK(g.scale[0] == doctest::Approx(4.0f / 255.0f).epsilon(1e-6));
  CHECK(g.zero_point[0] == 64);  // round(1 / (4/255)) = round(63.75)
}

TEST_CASE("RangeObserver percentile: per-batch percentiles averaged, outliers clipped") {
  RangeObserver obs({CalibrationMethod::percentile, 3, 99.0});
  std::vector<float> a = ramp(0, 1000), b = ramp(1000, 2000);
  a[500] = 1e6f;  // one outlier replaces 500: the 99th percentile is still 989 + 1 = 990
  CHECK(obs.observe(a));
  CHECK(obs.observe(b));
  const auto [lo, hi] = obs.range();
  CHECK(lo == doctest::Approx((9.0 + 1009.0) / 2));
  CHECK(hi == doctest::Approx((990.0 + 1989.0) / 2));
  CHECK_FALSE(obs.full());
}

TEST_CASE("RangeObserver: bad settings and bad batches are refused") {
  CHECK_THROWS_AS(RangeObserver({CalibrationMethod::min_max, 0, 99.0}), std::invalid_argument);
  CHECK_THROWS_AS(RangeObserver({CalibrationMethod::percentile, 1, 40.0}), std::invalid_argument);
  CHECK_THROWS_AS(RangeObserver({CalibrationMethod::percentile, 1, 100.5}), std::invalid_argument);
  RangeObserver obs({});
  CHECK_THROWS_AS(obs.range(), std::logic_error);
  CHECK_THROWS_AS(obs.observe(std::vector<float>{}), std::invalid_argument);
  CHECK_THROWS_AS(obs.observe(std::vector<float>{1.0f, NAN}), std::invalid_argument);
  CHECK(parse_calibration_method("percentile") == CalibrationMethod::percentile);
  CHECK_THROWS_WITH_AS(parse_calibration_method("kl"),
                       doctest::Contains("expected min_max or percentile"), std::invalid_argument);
}
