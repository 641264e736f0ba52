#include "prune/schedules/schedule_math.h"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace poda {

namespace {
const std::vector<std::pair<IterativePath, std::string>> paths{
    {IterativePath::geometric, "geometric"},
    {IterativePath::fixed_rate, "fixed_rate"},
    {IterativePath::linear, "linear"}};
}  // namespace

IterativePath parse_iterative_path(const std::string& name) {
  for (const auto& [p, n] : paths)
    if (n == name) return p;
  throw std::invalid_argument("unknown iterative path '" + name +
                              "' (expected one of: geometric, fixed_rate, linear)");
}

std::string iterative_path_name(IterativePath p) {
  for (const auto& [k, n] : paths)
    if (k == p) return n;
  throw std::logic_error("iterative path without a name");
}

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

const std::map<std::string, KeyKind>& RoundPath::keys() {
  static const std::map<std::string, KeyKind> k{
      {"rounds", KeyKind::count}, {"path", KeyKind::text}, {"rate", KeyKind::number}};
  return k;
}

RoundPath RoundPath::from(const ScheduleSpec& spec) {
  RoundPath p;
  p.rounds = static_cast<int>(spec.number_or("rounds", p.rounds));
  p.path = parse_iterative_path(spec.text_or("path", iterative_path_name(p.path)));
  p.rate = spec.number_or("rate", p.rate);
  return p;
}

void RoundPath::validate(const ScheduleSpec& spec, std::vector<FieldError>& errors) {
  const double rounds = spec.number_or("rounds", 5);
  if (!(rounds >= 1 && rounds <= 1000))
    errors.push_back({"schedule.rounds", "must be in [1, 1000], got " + format_number(rounds)});
  const std::string path = spec.text_or("path", "geometric");
  try {
    if (parse_iterative_path(path) != IterativePath::fixed_rate) return;
  } catch (const std::invalid_argument& e) {
    errors.push_back({"schedule.path", e.what()});
    return;
  }
  const double rate = spec.number_or("rate", 0.2);
  if (!(rate > 0.0 && rate < 1.0))
    errors.push_back({"schedule.rate", "must be in (0, 1), got " + format_number(rate)});
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

}  // namespace poda
