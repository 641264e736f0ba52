#include "prune/settings.h"

#include <cmath>
#include <set>
#include <stdexcept>
#include <utility>

#include "prune/criterion.h"

namespace poda {

namespace {

const std::vector<std::pair<Scope, std::string>> scopes{{Scope::layer, "layer"},
                                                        {Scope::global, "global"}};

using Errors = std::vector<FieldError>;

// False for NaN and +inf too, which a plain `> 0` lets through.
bool positive_finite(double v) {
  return v > 0.0 && std::isfinite(v);
}

void check_granularity(const GranularitySpec& g, Errors& errors) {
  if (g.kind == Granularity::n_m) {
    if (g.m < 1)
      errors.push_back({"granularity.m", "must be at least 1, got " + std::to_string(g.m)});
    if (g.n < 1)
      errors.push_back({"granularity.n", "must be at least 1, got " + std::to_string(g.n)});
    else if (g.n > g.m)
      errors.push_back({"granularity.n", "N must not exceed M (N:M = " + std::to_string(g.n) + ":" +
                                             std::to_string(g.m) + ")"});
  }
  if (g.kind == Granularity::block) {
    if (g.block_rows < 1) errors.push_back({"granularity.block_rows", "must be at least 1"});
    if (g.block_cols < 1) errors.push_back({"granularity.block_cols", "must be at least 1"});
  }
}

void check_criterion(const PruneSettings& s, Errors& errors) {
  if (!has_criterion(s.criterion)) {
    errors.push_back({"criterion", "unknown criterion '" + s.criterion + "' (expected one of: " +
                                       join_names(criterion_names()) + ")"});
    return;
  }
  auto c = make_criterion(s.criterion);
  if (!c->supports(s.granularity.kind)) {
    std::vector<std::string> ok;
    for (const auto& name : granularity_names())
      if (c->supports(parse_granularity(name))) ok.push_back(name);
    errors.push_back({"granularity", "criterion '" + s.criterion +
                                         "' does not support granularity '" +
                                         granularity_name(s.granularity.kind) +
                                         "' (it supports: " + join_names(ok) + ")"});
  }
  if (c->needs_data() && s.data_batches < 1)
    errors.push_back(
        {"data_batches", "criterion '" + s.criterion + "' needs at least one data batch"});
}

void check_budget(const BudgetSpec& b, Errors& errors) {
  if (!positive_finite(b.value))
    errors.push_back({"budget." + b.key(),
                      "must be a positive finite number, got " + format_number(b.value)});
  if (b.batch < 1 || b.batch > 65536)
    errors.push_back({"budget.batch", "must be from 1 to 65536, got " + std::to_string(b.batch)});
  if (b.forms.empty()) errors.push_back({"budget.forms", "must name at least one form"});
  std::set<Granularity> seen;
  for (Granularity g : b.forms)
    if (!seen.insert(g).second)
      errors.push_back({"budget.forms", "'" + granularity_name(g) + "' is given twice"});
  std::set<std::string> seen_quantized;
  for (const std::string& q : b.quant_forms)
    if (!seen_quantized.insert(q).second)
      errors.push_back({"budget.forms", "'" + q + "' is given twice"});
}

void check_overrides(const std::vector<LayerOverride>& overrides, Errors& errors) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    const LayerOverride& o = overrides[i];
    const std::string at = "overrides[" + std::to_string(i) + "]";
    if (o.name.empty())
      errors.push_back({at + ".name", "must name a layer or parameter"});
    else if (!seen.insert(o.name).second)
      errors.push_back({at + ".name", "'" + o.name + "' is overridden twice"});
    if (o.sparsity >= 1.0)
      errors.push_back({at + ".sparsity", "must be in [0, 1), got " + format_number(o.sparsity)});
    if (!positive_finite(o.rate_scale))
      errors.push_back({at + ".rate_scale",
                        "must be a positive finite number, got " + format_number(o.rate_scale)});
  }
}

}  // namespace

std::string format_number(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Scope parse_scope(const std::string& name) {
  for (const auto& [e, n] : scopes)
    if (n == name) return e;
  throw std::invalid_argument("unknown scope '" + name + "' (expected one of: layer, global)");
}

std::string scope_name(Scope s) {
  return s == Scope::layer ? "layer" : "global";
}

double ScheduleSpec::number_or(const std::string& key, double fallback) const {
  auto it = numbers.find(key);
  return it == numbers.end() ? fallback : it->second;
}

bool ScheduleSpec::flag_or(const std::string& key, bool fallback) const {
  return number_or(key, fallback ? 1.0 : 0.0) != 0.0;
}

std::string ScheduleSpec::text_or(const std::string& key, const std::string& fallback) const {
  auto it = strings.find(key);
  return it == strings.end() ? fallback : it->second;
}

std::vector<FieldError> PruneSettings::validate() const {
  Errors errors;
  if (!(sparsity >= 0.0 && sparsity < 1.0))
    errors.push_back({"sparsity", "must be in [0, 1), got " + format_number(sparsity)});
  check_granularity(granularity, errors);
  check_criterion(*this, errors);
  if (finetune_epochs < 0) errors.push_back({"finetune_epochs", "must be at least 0"});
  if (!positive_finite(finetune_lr_scale))
    errors.push_back({"finetune_lr_scale",
                      "must be a positive finite number, got " + format_number(finetune_lr_scale)});
  if (min_units < 0)
    errors.push_back({"min_units", "must be at least 0, got " + std::to_string(min_units)});
  if (!(max_layer_sparsity > 0.0 && max_layer_sparsity <= 1.0))
    errors.push_back(
        {"max_layer_sparsity", "must be in (0, 1], got " + format_number(max_layer_sparsity)});
  check_overrides(overrides, errors);
  if (!(reconstruction.damp >= 0.0 && reconstruction.damp <= 1.0))
    errors.push_back({"sparsegpt.damp", "must be in [0, 1] (a fraction of the Hessian's mean "
                                        "diagonal), got " + format_number(reconstruction.damp)});
  if (budget) check_budget(*budget, errors);
  return errors;
}

}  // namespace poda
