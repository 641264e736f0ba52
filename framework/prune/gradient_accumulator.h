#pragma once
// Sums each parameter's gradient over training steps, for criteria that look at how weights
// move during fine-tuning (movement pruning, Sanh et al. 2020). Call accumulate() from the
// trainer's per-step hook, after backward and before the gradients are zeroed.
#include <map>
#include <string>

#include "nn/module.h"

namespace poda {

class GradientAccumulator {
 public:
  explicit GradientAccumulator(Module& model);
  void accumulate();
  void reset();
  long steps() const { return steps_; }
  // Summed gradient of a parameter by dotted name; null when never seen.
  const Array* sum(const std::string& name) const;

 private:
  std::vector<std::pair<std::string, Parameter*>> params_;
  std::map<std::string, Array> sums_;
  long steps_ = 0;
};

}  // namespace poda
