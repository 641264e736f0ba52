#include "prune/schedules/schedule_math.h"

#include <cmath>

namespace poda {

std::vector<double> iterative_targets(double final, int rounds, IterativePath path, double rate) {
  std::vector<double> out;
  for (int r = 1; r <= rounds; ++r) {
    const double f = static_cast<double>(r) / rounds;
    switch (path) {
      case IterativePath::geometric: out.push_back(1.0 - std::pow(1.0 - final, f)); break;
      case IterativePath::fixed_rate: out.push_back(1.0 - std::pow(1.0 - rate, r)); break;
      case IterativePath::linear: out.push_back(final * f); break;
    }
  }
  // The last round lands on the target itself, not on a rounding of pow().
  if (path != IterativePath::fixed_rate && !out.empty()) out.back() = final;
  return out;
}

double gradual_target(long t, double s_i, double s_f, long t0, long n, long dt) {
  if (t <= t0) return s_i;
  const long span = n * dt;
  if (t >= t0 + span) return s_f;
  const double remaining = 1.0 - static_cast<double>(t - t0) / static_cast<double>(span);
  return s_f + (s_i - s_f) * remaining * remaining * remaining;
}

bool gradual_update_step(long t, long t0, long n, long dt) {
  return t >= t0 && (t - t0) % dt == 0 && (t - t0) / dt <= n;
}

std::vector<double> round_targets(const PruneSettings& s) {
  switch (s.schedule.kind) {
    case ScheduleKind::one_shot:
    case ScheduleKind::at_init: return {s.sparsity};
    case ScheduleKind::iterative:
    case ScheduleKind::lottery:
      return iterative_targets(s.sparsity, s.schedule.rounds, s.schedule.path, s.schedule.rate);
    case ScheduleKind::gradual: return {};
  }
  return {};
}

}  // namespace poda
