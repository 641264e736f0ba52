#include "quantize/calibration.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace poda {

CalibrationMethod parse_calibration_method(const std::string& name) {
  if (name == "min_max") return CalibrationMethod::min_max;
  if (name == "percentile") return CalibrationMethod::percentile;
  throw std::invalid_argument("unknown calibration method '" + name +
                              "' (expected min_max or percentile)");
}

const char* calibration_method_name(CalibrationMethod method) {
  return method == CalibrationMethod::min_max ? "min_max" : "percentile";
}

RangeObserver::RangeObserver(CalibrationSettings settings) : settings_(settings) {
  if (settings_.batches < 1)
    throw std::invalid_argument("calibration: batches must be at least 1, got " +
                                std::to_string(settings_.batches));
  if (settings_.method == CalibrationMethod::percentile &&
      !(settings_.percentile > 50.0 && settings_.percentile <= 100.0))
    throw std::invalid_argument("calibration: percentile must be in (50, 100], got " +
                                std::to_string(settings_.percentile));
}

float percentile_of(std::vector<float>& values, double p) {
  if (values.empty()) throw std::invalid_argument("percentile_of: no values");
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const std::size_t index =
      static_cast<std::size_t>(std::clamp(rank, 1.0, double(values.size()))) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<long>(index), values.end());
  return values[index];
}

bool RangeObserver::observe(const float* values, std::size_t n) {
  if (full()) return false;
  if (n == 0) throw std::invalid_argument("calibration: an empty batch of activations");
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(values[i]))
      throw std::invalid_argument("calibration: activation " + std::to_string(i) + " of batch " +
                                  std::to_string(batches_seen_) + " is not finite");
  if (settings_.method == CalibrationMethod::min_max) {
    const auto [mn, mx] = std::minmax_element(values, values + n);
    lo_ = batches_seen_ == 0 ? *mn : std::min<double>(lo_, *mn);
    hi_ = batches_seen_ == 0 ? *mx : std::max<double>(hi_, *mx);
  } else {
    std::vector<float> copy(values, values + n);
    hi_ += percentile_of(copy, settings_.percentile);
    lo_ += percentile_of(copy, 100.0 - settings_.percentile);
  }
  ++batches_seen_;
  return true;
}

std::pair<float, float> RangeObserver::range() const {
  if (batches_seen_ == 0) throw std::logic_error("calibration: range() before any batch");
  if (settings_.method == CalibrationMethod::min_max)
    return {static_cast<float>(lo_), static_cast<float>(hi_)};
  return {static_cast<float>(lo_ / batches_seen_), static_cast<float>(hi_ / batches_seen_)};
}

QuantGrid RangeObserver::grid() const {
  const auto [lo, hi] = range();
  return activation_grid(lo, hi);
}

}  // namespace poda
