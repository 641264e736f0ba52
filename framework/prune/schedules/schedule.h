#pragma once
// A schedule decides when to prune, to which target, and what training happens in between.
// Each schedule is one file under prune/schedules/ that implements this interface and
// registers itself by name with the keys it reads from `prune.schedule` (the pattern of layer
// types, nn/layer_spec.h):
//
//   const ScheduleRegistrar one_shot_registrar("one_shot", {{{"finetune_epochs", KeyKind::count}}, make, "..."});
//
// The config reader accepts a key that any registered schedule declares (so a base config can
// sweep prune.schedule.kind) and the chosen schedule reads the ones it uses from the parsed
// ScheduleSpec. The runner asks the schedule what it needs instead of testing its kind.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nn/layer_spec.h"
#include "prune/settings.h"

namespace poda {

class ScheduleRun;  // schedules/driver.h

class Schedule {
 public:
  virtual ~Schedule() = default;
  // Checks the schedule's own keys against the settings: fields are "schedule.<key>".
  virtual std::vector<FieldError> validate(const PruneSettings& settings) const { return {}; }
  // true: starts from the dense model pretrained once and shared by a sweep's runs; false:
  // the run starts from the fresh initialisation (pruning at initialisation).
  virtual bool starts_from_pretrained() const { return true; }
  // The weights the schedule rewinds to, saved by the runner while pretraining: nullopt =
  // none, 0 = the initialisation, k = after k optimiser steps of dense training.
  virtual std::optional<long> rewind_step() const { return std::nullopt; }
  // Prunes and trains through `run` (prune_to, train, evaluate, record rounds).
  virtual void run(ScheduleRun& run) const = 0;
};

using ScheduleFactory = std::function<std::unique_ptr<Schedule>(const ScheduleSpec&)>;

struct ScheduleType {
  std::map<std::string, KeyKind> keys;  // the keys it reads besides `kind`
  ScheduleFactory make;
  std::string help;  // one line for `poda list`
};

// Registering the same name twice throws.
void register_schedule(const std::string& name, ScheduleType type);
const ScheduleType* find_schedule(const std::string& name);
std::vector<std::string> schedule_names();  // sorted
// Every key some registered schedule declares: what the config reader accepts.
std::map<std::string, KeyKind> schedule_keys();
// Throws std::invalid_argument listing the names when `spec.kind` is unknown.
std::unique_ptr<Schedule> make_schedule(const ScheduleSpec& spec);

struct ScheduleRegistrar {
  ScheduleRegistrar(const std::string& name, ScheduleType type) {
    register_schedule(name, std::move(type));
  }
};

// settings.validate(), then the schedule's own checks: an unknown kind, or the errors of its
// validate(). What the config reader reports, the first error first.
std::vector<FieldError> check_prune_settings(const PruneSettings& settings);

// For validate(): `schedule.<key>` (or `fallback` when absent) must lie in [min, max].
void check_range(const ScheduleSpec& spec, const std::string& key, double fallback, double min,
                 double max, std::vector<FieldError>& errors);

}  // namespace poda
