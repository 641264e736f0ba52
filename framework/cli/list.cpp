#include "cli/list.h"

#include "core/user_error.h"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <vector>

#include "data/dataset_type.h"
#include "experiment/quant_schemes/quant_scheme.h"
#include "nn/layer_spec.h"
#include "nn/zoo.h"
#include "prune/criterion.h"
#include "prune/granularity.h"
#include "budget/strategy.h"
#include "prune/schedules/schedule.h"

namespace poda {

namespace {

std::string key_kind_name(KeyKind k) {
  switch (k) {
    case KeyKind::count: return "count";
    case KeyKind::number: return "number";
    case KeyKind::flag: return "flag";
    case KeyKind::text: return "text";
    case KeyKind::layers: return "layers";
  }
  return "";
}

std::string keys_line(const std::map<std::string, KeyKind>& keys) {
  std::string out;
  for (const auto& [key, kind] : keys)
    out += (out.empty() ? "" : ", ") + key + " (" + key_kind_name(kind) + ")";
  return out.empty() ? "" : "      keys: " + out + "\n";
}

std::string entry(const std::string& name, const std::string& help) {
  std::string padded = "  " + name;
  if (padded.size() < 18) padded.resize(18, ' ');
  return padded + "  " + help + "\n";
}

std::string criteria() {
  std::string out = "criteria (prune.criterion):\n";
  for (const auto& name : criterion_names()) out += entry(name, criterion_help(name));
  return out;
}

std::string granularities() {
  std::string out = "granularities (prune.granularity):\n";
  for (const auto& name : granularity_names())
    out += entry(name, granularity_help(parse_granularity(name)));
  return out;
}

std::string schedules() {
  std::string out = "schedules (prune.schedule.kind):\n";
  for (const auto& name : schedule_names()) {
    const ScheduleType* t = find_schedule(name);
    out += entry(name, t->help) + keys_line(t->keys);
  }
  return out;
}

std::string budget_strategies() {
  std::string out = "budget strategies (prune.budget.strategy):\n";
  for (const auto& name : budget_strategy_names())
    out += entry(name, find_budget_strategy(name)->help);
  return out;
}

std::string layers() {
  std::string out = "layer types (model.layers[].type):\n";
  for (const auto& name : layer_type_names()) {
    const LayerType* t = find_layer_type(name);
    out += entry(name, t->help) + keys_line(t->keys);
  }
  return out;
}

std::string datasets() {
  std::string out = "datasets (dataset.name):\n";
  for (const auto& name : dataset_names()) out += entry(name, dataset_type(name).help());
  return out;
}

std::string quantization() {
  std::string out = "quantization schemes (quantize.kind):\n";
  for (const auto& name : quant_scheme_names()) out += entry(name, find_quant_scheme(name)->help);
  return out;
}

std::string zoo() {
  std::string out = "zoo models (model.zoo):\n";
  for (const auto& name : zoo_model_names()) out += entry(name, find_zoo_model(name)->description);
  return out;
}

}  // namespace

std::string list_text(const std::string& section) {
  const std::vector<std::pair<std::string, std::string (*)()>> sections{
      {"criteria", criteria},
      {"granularities", granularities},
      {"schedules", schedules},
      {"budgets", budget_strategies},
      {"layers", layers},
      {"zoo", zoo},
      {"datasets", datasets},
      {"quantization", quantization}};
  std::string out, names;
  for (const auto& [name, text] : sections) {
    names += (names.empty() ? "" : ", ") + name;
    if (section.empty() || section == name) out += (out.empty() ? "" : "\n") + text();
  }
  if (out.empty())
    throw UserError("unknown list '" + section + "' (expected one of: " + names + ")");
  return out;
}

int command_list(const std::string& section) {
  std::fputs(list_text(section).c_str(), stdout);
  return 0;
}

}  // namespace poda
