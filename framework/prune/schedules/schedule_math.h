#pragma once
// The targets of each schedule as pure functions of the settings: the driver only follows
// them. All targets are cumulative sparsities.
#include <vector>

#include "prune/settings.h"

namespace poda {

// Targets of rounds 1..k on the way to `final`:
//   geometric:  s_r = 1 - (1 - final)^(r/k)  (each round prunes the same fraction of what remains)
//   fixed_rate: s_r = 1 - (1 - rate)^r       (final is then 1 - (1 - rate)^k)
//   linear:     s_r = final * r / k
std::vector<double> iterative_targets(double final, int rounds, IterativePath path, double rate);

// Zhu & Gupta 2017: s_t = s_f + (s_i - s_f) (1 - (t - t0) / (n dt))^3 for t in [t0, t0 + n dt],
// s_i before t0 and s_f after.
double gradual_target(long t, double s_i, double s_f, long t0, long n, long dt);
// The masks change at t0, t0 + dt, ..., t0 + n dt (n + 1 updates, the last at s_f exactly).
bool gradual_update_step(long t, long t0, long n, long dt);

// The per-round targets a schedule prunes to (gradual has per-step targets instead: empty).
std::vector<double> round_targets(const PruneSettings& s);

}  // namespace poda
