#include "prune/settings.h"

#include <cmath>
#include <set>
#include <stdexcept>
#include <utility>

#include "prune/criterion.h"

namespace poda {

namespace {

template <class E>
E parse_enum(const std::vector<std::pair<E, std::string>>& table, const std::string& name,
             const std::string& what) {
  for (const auto& [e, n] : table)
    if (n == name) return e;
  std::string choices;
  for (const auto& [e, n] : table) choices += (choices.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown " + what + " '" + name + "' (expected one of: " +
                              choices + ")");
}

template <class E>
std::string enum_name(const std::vector<std::pair<E, std::string>>& table, E value) {
  for (const auto& [e, n] : table)
    if (e == value) return n;
  throw std::logic_error("enum value without a name");
}

const std::vector<std::pair<Scope, std::string>> scopes{{Scope::layer, "layer"},
                                                        {Scope::global, "global"}};
const std::vector<std::pair<ScheduleKind, std::string>> kinds{
    {ScheduleKind::one_shot, "one_shot"}, {ScheduleKind::iterative, "iterative"},
    {ScheduleKind::gradual, "gradual"},   {ScheduleKind::lottery, "lottery"},
    {ScheduleKind::at_init, "at_init"}};
const std::vector<std::pair<IterativePath, std::string>> paths{
    {IterativePath::geometric, "geometric"}, {IterativePath::fixed_rate, "fixed_rate"},
    {IterativePath::linear, "linear"}};

std::string num(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// False for NaN and +inf too, which a plain `> 0` lets through.
bool positive_finite(double v) { return v > 0.0 && std::isfinite(v); }

}  // namespace

Scope parse_scope(const std::string& name) { return parse_enum(scopes, name, "scope"); }
std::string scope_name(Scope s) { return enum_name(scopes, s); }
ScheduleKind parse_schedule_kind(const std::string& name) {
  return parse_enum(kinds, name, "schedule kind");
}
std::string schedule_kind_name(ScheduleKind k) { return enum_name(kinds, k); }
IterativePath parse_iterative_path(const std::string& name) {
  return parse_enum(paths, name, "iterative path");
}
std::string iterative_path_name(IterativePath p) { return enum_name(paths, p); }

std::vector<FieldError> PruneSettings::validate() const {
  std::vector<FieldError> errors;
  auto fail = [&](const std::string& field, const std::string& message) {
    errors.push_back({field, message});
  };
  if (!(sparsity >= 0.0 && sparsity < 1.0))
    fail("sparsity", "must be in [0, 1), got " + num(sparsity));

  const GranularitySpec& g = granularity;
  if (g.kind == Granularity::n_m) {
    if (g.m < 1) fail("granularity.m", "must be at least 1, got " + std::to_string(g.m));
    if (g.n < 1) fail("granularity.n", "must be at least 1, got " + std::to_string(g.n));
    else if (g.n > g.m)
      fail("granularity.n", "N must not exceed M (N:M = " + std::to_string(g.n) + ":" +
                                std::to_string(g.m) + ")");
  }
  if (g.kind == Granularity::block) {
    if (g.block_rows < 1) fail("granularity.block_rows", "must be at least 1");
    if (g.block_cols < 1) fail("granularity.block_cols", "must be at least 1");
  }

  if (!has_criterion(criterion)) {
    std::string names;
    for (const auto& n : criterion_names()) names += (names.empty() ? "" : ", ") + n;
    fail("criterion", "unknown criterion '" + criterion + "' (expected one of: " + names + ")");
  } else {
    auto c = make_criterion(criterion);
    if (!c->supports(g.kind)) {
      std::string ok;
      for (const auto& name : granularity_names())
        if (c->supports(parse_granularity(name))) ok += (ok.empty() ? "" : ", ") + name;
      fail("granularity", "criterion '" + criterion + "' does not support granularity '" +
                              granularity_name(g.kind) + "' (it supports: " + ok + ")");
    }
    if (c->needs_data() && data_batches < 1)
      fail("data_batches", "criterion '" + criterion + "' needs at least one data batch");
  }

  const ScheduleSettings& s = schedule;
  if (s.kind == ScheduleKind::iterative || s.kind == ScheduleKind::lottery) {
    if (s.rounds < 1) fail("schedule.rounds", "must be at least 1, got " + std::to_string(s.rounds));
    if (s.path == IterativePath::fixed_rate && !(s.rate > 0.0 && s.rate < 1.0))
      fail("schedule.rate", "must be in (0, 1), got " + num(s.rate));
  }
  if (s.kind == ScheduleKind::gradual) {
    if (!(s.initial_sparsity >= 0.0 && s.initial_sparsity <= sparsity))
      fail("schedule.initial_sparsity", "must be in [0, sparsity], got " + num(s.initial_sparsity));
    if (s.start_step < 0) fail("schedule.start_step", "must be at least 0");
    if (s.prune_steps < 1) fail("schedule.prune_steps", "must be at least 1");
    if (s.step_interval < 1) fail("schedule.step_interval", "must be at least 1");
  }
  if (s.kind == ScheduleKind::lottery && s.rewind_step < 0)
    fail("schedule.rewind_step", "must be at least 0");
  if (s.train_epochs < 0) fail("schedule.train_epochs", "must be at least 0");
  if (finetune_epochs < 0) fail("finetune_epochs", "must be at least 0");
  if (!positive_finite(finetune_lr_scale)) fail("finetune_lr_scale", "must be a positive finite number, got " + num(finetune_lr_scale));

  std::set<std::string> seen;
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    const LayerOverride& o = overrides[i];
    const std::string at = "overrides[" + std::to_string(i) + "]";
    if (o.name.empty()) fail(at + ".name", "must name a layer or parameter");
    else if (!seen.insert(o.name).second) fail(at + ".name", "'" + o.name + "' is overridden twice");
    if (o.sparsity >= 1.0)
      fail(at + ".sparsity", "must be in [0, 1), got " + num(o.sparsity));
    if (!positive_finite(o.rate_scale)) fail(at + ".rate_scale", "must be a positive finite number, got " + num(o.rate_scale));
  }
  return errors;
}

}  // namespace poda
