#pragma once
// Learning-rate schedules, evaluated per epoch (0-based).
#include <string>

namespace poda {

struct LrSchedule {
  enum class Kind { constant, step, cosine } kind = Kind::constant;
  int step_size = 10;  // step: multiply by gamma every step_size epochs
  float gamma = 0.1f;
  float min_lr = 0.0f;   // cosine: final learning rate
  int total_epochs = 1;  // cosine: period

  float lr_at(float base_lr, int epoch) const;
};

LrSchedule::Kind parse_lr_schedule_kind(const std::string& name);  // throws listing choices

}  // namespace poda
