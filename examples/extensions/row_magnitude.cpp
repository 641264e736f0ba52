// A new pruning criterion: a weight's magnitude relative to the mean magnitude of its row
// (its output unit), so every neuron keeps its strongest inputs whatever its scale.
#include <cmath>

#include "prune/criterion.h"

namespace example {
namespace {

using namespace poda;

class RowMagnitude : public Criterion {
 public:
  bool supports(Granularity g) const override { return g == Granularity::unstructured; }
  Array score_weights(const std::string&, const Parameter& p,
                      const CriterionContext&) const override {
    const Array& w = p.value.data();
    Array s = empty_array(to_shape(w.shape()));
    const std::size_t rows = w.shape()[0], per_row = w.size() / rows;
    for (std::size_t r = 0; r < rows; ++r) {
      const float* row = w.data() + r * per_row;
      double mean = 0.0;
      for (std::size_t i = 0; i < per_row; ++i) mean += std::fabs(row[i]);
      mean = mean / static_cast<double>(per_row) + 1e-12;
      for (std::size_t i = 0; i < per_row; ++i)
        s.data()[r * per_row + i] = static_cast<float>(std::fabs(row[i]) / mean);
    }
    return s;
  }
};

const CriterionRegistrar reg(
    "row_magnitude", [] { return std::make_unique<RowMagnitude>(); },
    "|w| / mean |w| of its output unit; unstructured (example)");

}  // namespace
}  // namespace example
