#pragma once
// The targets of the schedules as pure functions: the schedules only follow them. All
// targets are cumulative sparsities.
#include <map>
#include <string>
#include <vector>

#include "nn/layer_spec.h"
#include "prune/settings.h"

namespace poda {

// How iterative rounds approach the cumulative target.
enum class IterativePath { geometric, fixed_rate, linear };
IterativePath parse_iterative_path(const std::string& name);  // throws listing the choices
std::string iterative_path_name(IterativePath p);

// Targets of rounds 1..k on the way to `final`:
//   geometric:  s_r = 1 - (1 - final)^(r/k)  (each round prunes the same fraction of what remains)
//   fixed_rate: s_r = 1 - (1 - rate)^r       (final is then 1 - (1 - rate)^k)
//   linear:     s_r = final * r / k
std::vector<double> iterative_targets(double final, int rounds, IterativePath path, double rate);

// The keys of a schedule that prunes in rounds (iterative, lottery): rounds (5), path
// (geometric) and rate (0.2, fixed_rate only), read from the spec and validated in one place.
struct RoundPath {
  static const std::map<std::string, KeyKind>& keys();
  static RoundPath from(const ScheduleSpec& spec);
  static void validate(const ScheduleSpec& spec, std::vector<FieldError>& errors);
  std::vector<double> targets(double final) const {
    return iterative_targets(final, rounds, path, rate);
  }
  int rounds = 5;
  IterativePath path = IterativePath::geometric;
  double rate = 0.2;  // fixed_rate: fraction of the remaining weights pruned per round
};

// Zhu & Gupta 2017: s_t = s_f + (s_i - s_f) (1 - (t - t0) / (n dt))^3 for t in [t0, t0 + n dt],
// s_i before t0 and s_f after.
double gradual_target(long t, double s_i, double s_f, long t0, long n, long dt);
// The masks change at t0, t0 + dt, ..., t0 + n dt (n + 1 updates, the last at s_f exactly).
bool gradual_update_step(long t, long t0, long n, long dt);

}  // namespace poda
