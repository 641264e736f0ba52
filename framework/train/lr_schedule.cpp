#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace poda {

float LrSchedule::lr_at(float base_lr, int epoch) const {
  switch (kind) {
    case Kind::constant: return base_lr;
    case Kind::step: return base_lr * std::pow(gamma, static_cast<float>(epoch / step_size));
    case Kind::cosine: {
      const float t = std::min(1.0f, static_cast<float>(epoch) / std::max(1, total_epochs));
      return min_lr + 0.5f * (base_lr - min_lr) * (1.0f + std::cos(3.14159265358979f * t));
    }
  }
  return base_lr;
}

LrSchedule::Kind parse_lr_schedule_kind(const std::string& name) {
  if (name == "constant") return LrSchedule::Kind::constant;
  if (name == "step") return LrSchedule::Kind::step;
  if (name == "cosine") return LrSchedule::Kind::cosine;
  throw std::invalid_argument("unknown lr schedule '" + name +
                              "' (expected constant, step or cosine)");
}

}  // namespace poda
