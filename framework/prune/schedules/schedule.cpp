#include "prune/schedules/schedule.h"

#include <stdexcept>

#include "core/registry.h"

namespace poda {

namespace {
Registry<ScheduleType>& registry() {
  static Registry<ScheduleType> r("schedule");
  return r;
}
}  // namespace

std::unique_ptr<Schedule> make_schedule(const ScheduleSpec& spec) {
  const ScheduleType* type = find_schedule(spec.kind);
  if (!type)
    throw std::invalid_argument("unknown schedule '" + spec.kind +
                                "' (expected one of: " + join_names(schedule_names()) + ")");
  return type->make(spec);
}

void register_schedule(const std::string& name, ScheduleType type) {
  registry().add(name, std::move(type));
}

const ScheduleType* find_schedule(const std::string& name) {
  return registry().find(name);
}

std::vector<std::string> schedule_names() {
  return registry().names();
}

std::map<std::string, KeyKind> schedule_keys() {
  std::map<std::string, KeyKind> keys;
  for (const auto& name : schedule_names())
    for (const auto& [key, kind] : find_schedule(name)->keys) keys.emplace(key, kind);
  return keys;
}

std::vector<FieldError> check_prune_settings(const PruneSettings& s) {
  std::vector<FieldError> errors = s.validate();
  if (!find_schedule(s.schedule.kind)) {
    errors.push_back({"schedule.kind", "unknown schedule '" + s.schedule.kind +
                                           "' (expected one of: " + join_names(schedule_names()) +
                                           ")"});
    return errors;
  }
  for (FieldError& e : make_schedule(s.schedule)->validate(s)) errors.push_back(std::move(e));
  return errors;
}

void check_range(const ScheduleSpec& spec, const std::string& key, double fallback, double min,
                 double max, std::vector<FieldError>& errors) {
  const double v = spec.number_or(key, fallback);
  if (v < min)
    errors.push_back({"schedule." + key, "must be at least " + format_number(min)});
  else if (v > max)
    errors.push_back({"schedule." + key, "must be at most " + format_number(max)});
}

}  // namespace poda
