#pragma once
// quantize/: what happens to a pruned model on its way to int8 or shared weights, between
// prune/ and measure/ (data -> model -> train -> prune -> quantize -> measure). The runner
// feeds these functions; none of them reads a config or a model directly.
//
// Calibration of activation ranges: an observer watches the activations of a configurable
// number of batches and turns them into the per-tensor uint8 grid of kernels/quant_params.h.
//   min_max     the smallest and largest value seen over all batches (PyTorch's
//               MinMaxObserver): every calibration value fits, outliers stretch the grid.
//   percentile  per batch, the values at the (100 - p)th and pth percentiles (nearest rank),
//               averaged over the batches: outliers are clipped, memory is one batch.
#include <cstddef>
#include <string>
#include <vector>

#include "kernels/quant_params.h"

namespace poda {

enum class CalibrationMethod { min_max, percentile };

struct CalibrationSettings {
  CalibrationMethod method = CalibrationMethod::min_max;
  int batches = 8;            // batches observed; later ones are ignored
  double percentile = 99.99;  // in (50, 100]; percentile method only
};

// "min_max" / "percentile"; std::invalid_argument naming the known ones otherwise.
CalibrationMethod parse_calibration_method(const std::string& name);
const char* calibration_method_name(CalibrationMethod method);

class RangeObserver {
 public:
  explicit RangeObserver(CalibrationSettings settings);

  // Records one batch (n values, any shape). Returns false, ignoring the batch, once
  // `batches` batches were recorded. Throws std::invalid_argument on an empty batch or a
  // non-finite value (a NaN would make every range meaningless).
  bool observe(const float* values, std::size_t n);
  bool observe(const std::vector<float>& values) { return observe(values.data(), values.size()); }

  bool full() const { return batches_seen_ >= settings_.batches; }
  int batches_seen() const { return batches_seen_; }
  // The calibrated [lo, hi]; std::logic_error before the first batch.
  std::pair<float, float> range() const;
  // activation_grid(range()).
  QuantGrid grid() const;

 private:
  CalibrationSettings settings_;
  int batches_seen_ = 0;
  double lo_ = 0.0, hi_ = 0.0;  // min_max: extremes; percentile: sums of per-batch values
};

// The value at percentile p of values (nearest rank: the ceil(p/100 * n)-th smallest);
// values is reordered.
float percentile_of(std::vector<float>& values, double p);

}  // namespace poda
