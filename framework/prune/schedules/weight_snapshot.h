#pragma once
// Named parameter values at one moment (initialisation, or step k of training), for
// lottery-ticket rewinding. Buffers (BatchNorm running statistics) are not part of it: they
// are re-estimated by the training that follows a rewind.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace poda {

class WeightSnapshot {
 public:
  static WeightSnapshot capture(Module& model);
  // Writes the saved values into the parameters of the same names and re-applies each mask:
  // surviving weights get exactly their saved values, pruned ones stay zero, masks are kept.
  // Throws if a parameter is missing or has another shape.
  void restore(Module& model) const;
  // The random re-initialisation control of Frankle & Carbin: each tensor's saved values in a
  // seeded random order, i.e. fresh draws from the same initial distribution.
  WeightSnapshot shuffled(std::uint64_t seed) const;

  bool empty() const { return values_.empty(); }
  const Array* find(const std::string& name) const;

 private:
  std::vector<std::pair<std::string, Array>> values_;
};

}  // namespace poda
