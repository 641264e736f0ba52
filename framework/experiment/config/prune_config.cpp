#include "experiment/config/prune_config.h"

#include <algorithm>

#include <fmt/format.h>

#include "budget/strategy.h"
#include "prune/criterion.h"
#include "prune/schedules/schedule.h"

namespace poda {

namespace {

// The node at a dotted field path like "overrides[1].sparsity" (undefined if absent).
YAML::Node node_at(const YAML::Node& root, const std::string& field) {
  std::vector<YAML::Node> chain{root};  // never reassign a Node: it would rebind storage
  std::size_t pos = 0;
  while (pos < field.size() && chain.back()) {
    const std::size_t end = field.find_first_of(".[", pos);
    const std::string key = field.substr(pos, end == std::string::npos ? end : end - pos);
    const YAML::Node& current = chain.back();
    if (!key.empty()) chain.push_back(current.IsMap() ? current[key] : YAML::Node());
    pos = end == std::string::npos ? field.size() : end + 1;
    if (end != std::string::npos && field[end] == '[') {
      const std::size_t close = field.find(']', end);
      const std::size_t index = std::stoul(field.substr(end + 1, close - end - 1));
      const YAML::Node& list = chain.back();
      chain.push_back(list.IsSequence() && index < list.size() ? list[index] : YAML::Node());
      pos = close + 2;
    }
  }
  return chain.back();
}

GranularitySpec parse_granularity_node(YamlMap& m) {
  GranularitySpec g;
  const YAML::Node n = m.node("granularity");
  if (!n) return g;
  if (n.IsScalar()) {
    g.kind = parse_granularity(m.text("granularity", std::nullopt, granularity_names()));
    return g;
  }
  YamlMap gm = m.map("granularity");
  g.kind = parse_granularity(gm.text("kind", std::nullopt, granularity_names()));
  if (g.kind == Granularity::n_m) {
    g.n = static_cast<int>(gm.integer("n", 2, 1, 1000));
    g.m = static_cast<int>(gm.integer("m", 4, 1, 1000));
  }
  if (g.kind == Granularity::block) {
    g.block_rows = static_cast<int>(gm.integer("block_rows", 1, 1, 1000));
    g.block_cols = static_cast<int>(gm.integer("block_cols", 4, 1, 1000));
  }
  gm.finish();
  return g;
}

// prune.schedule: a kind and the keys registered schedules declare (prune/schedules/
// schedule.h). Every declared key is accepted whatever the kind, so one base config can sweep
// prune.schedule.kind (a kind ignores the keys it does not read); any other key is an error.
ScheduleSpec parse_schedule(YamlMap& m) {
  ScheduleSpec s;
  if (!m.has("schedule")) return s;
  const YAML::Node n = m.node("schedule");
  if (n.IsScalar()) {
    s.kind = m.text("schedule", std::nullopt, schedule_names());
    return s;
  }
  YamlMap sm = m.map("schedule");
  s.kind = sm.text("kind", std::nullopt, schedule_names());
  // The keys of every registered schedule are read whatever the kind, so one base config
  // can sweep prune.schedule.kind; the schedule validates (and states the range of) its own.
  for (const auto& [key, kind] : schedule_keys()) {
    if (!sm.has(key)) continue;
    switch (kind) {
      case KeyKind::count:
        s.numbers[key] = static_cast<double>(sm.integer(key, std::nullopt, -(1L << 40), 1L << 40));
        break;
      case KeyKind::number: s.numbers[key] = sm.any_number(key, std::nullopt); break;
      case KeyKind::flag: s.numbers[key] = sm.boolean(key, std::nullopt) ? 1.0 : 0.0; break;
      case KeyKind::text: s.strings[key] = sm.text(key, std::nullopt); break;
      case KeyKind::layers: sm.fail(key, "a schedule key cannot hold layers"); break;
    }
  }
  sm.finish();
  return s;
}

// prune.budget: {latency_b<B>_us | speedup | macs | bytes: value, batch, forms, strategy,
// search_finetune_steps, baselines}.
// Exactly one kind; validate() states the value's range.
BudgetSpec parse_budget(YamlMap& m) {
  YamlMap bm = m.map("budget");
  BudgetSpec b;
  std::vector<std::string> kinds;
  for (const auto& item : bm.yaml()) {
    const std::string key = item.first.as<std::string>();
    if (latency_key_batch(key) > 0 || key == "speedup" || key == "macs" || key == "bytes")
      kinds.push_back(key);
  }
  if (kinds.size() != 1)
    bm.fail(kinds.empty() ? "latency_b1_us" : kinds[1],
            "give exactly one budget: latency_b<B>_us (e.g. latency_b1_us), speedup, macs or "
            "bytes");
  const std::string& key = kinds.front();
  b.value = bm.any_number(key, std::nullopt);
  if (const std::size_t batch = latency_key_batch(key)) {
    b.kind = BudgetKind::latency_us;
    b.batch = batch;
  } else {
    b.kind = key == "speedup" ? BudgetKind::speedup
             : key == "macs"  ? BudgetKind::macs
                              : BudgetKind::bytes;
  }
  if (b.kind == BudgetKind::speedup)
    b.batch = static_cast<std::size_t>(bm.integer("batch", 1, 1, 65536));
  if (bm.has("forms")) {
    const YAML::Node list = bm.node("forms");
    if (!list.IsSequence() || list.size() == 0)
      bm.fail("forms", "expected a list of forms, e.g. [unstructured, filter]");
    b.forms.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      YAML::Node item = list[i];
      std::vector<std::string> names = budget_form_names();
      const std::vector<std::string> quantized = budget_quant_form_names();
      names.insert(names.end(), quantized.begin(), quantized.end());
      const std::string name = item.IsScalar() ? item.Scalar() : "";
      if (std::find(names.begin(), names.end(), name) == names.end())
        throw ConfigError(fmt::format("{}: '{}.budget.forms[{}]': unknown form '{}' (expected "
                                      "one of: {})",
                                      yaml_where(m.file(), item), m.path(), i, name,
                                      join_names(names)));
      if (std::find(quantized.begin(), quantized.end(), name) != quantized.end())
        b.quant_forms.push_back(name);
      else
        b.forms.push_back(parse_granularity(name));
    }
    if (b.forms.empty())
      bm.fail("forms", "give at least one pruning form besides the quantized ones (e.g. "
                       "[unstructured, int8])");
  }
  b.strategy = bm.text("strategy", b.strategy, budget_strategy_names());
  if (bm.has("search_finetune_steps"))
    b.search_finetune_steps = static_cast<int>(bm.integer("search_finetune_steps", 0, 0, 100000));
  if (bm.has("baselines")) b.baselines = bm.boolean("baselines", true);
  bm.finish();
  return b;
}

// The target: `sparsity`, or a `budget` the search meets by choosing each layer's sparsity.
void parse_target(YamlMap& m, PruneSettings& p) {
  if (!m.has("budget")) {
    p.sparsity = m.any_number("sparsity", std::nullopt);  // validate() states the range
    return;
  }
  if (m.has("sparsity"))
    m.fail("sparsity", "give either 'sparsity' or 'budget' (the search chooses each layer's "
                       "sparsity), not both");
  p.budget = parse_budget(m);
}

// prune.sparsegpt: {block_size, damp} (prune/reconstruction/reconstruction_settings.h).
ReconstructionSettings parse_reconstruction(YamlMap r) {
  ReconstructionSettings out;
  out.block_size = static_cast<std::size_t>(
      r.integer("block_size", static_cast<long>(out.block_size), 1, 1L << 20));
  out.damp = r.any_number("damp", out.damp);  // validate() states the range
  r.finish();
  return out;
}

}  // namespace

PruneSettings parse_prune(YamlMap m, std::uint64_t seed) {
  PruneSettings p;
  p.seed = seed;
  p.criterion = m.text("criterion", p.criterion);
  p.granularity = parse_granularity_node(m);
  p.scope = parse_scope(m.text("scope", scope_name(p.scope), {"layer", "global"}));
  parse_target(m, p);
  p.exclude_first = m.boolean("exclude_first", p.exclude_first);
  p.exclude_last = m.boolean("exclude_last", p.exclude_last);
  p.include_bias = m.boolean("include_bias", p.include_bias);
  p.min_units = static_cast<int>(m.integer("min_units", p.min_units, 0, 1L << 30));
  p.max_layer_sparsity =
      m.any_number("max_layer_sparsity", p.max_layer_sparsity);  // validate() states the range
  p.group_aggregation = parse_group_aggregation(m.text(
      "group_aggregation", group_aggregation_name(p.group_aggregation), group_aggregation_names()));
  p.schedule = parse_schedule(m);
  p.finetune_epochs = static_cast<int>(m.integer("finetune_epochs", p.finetune_epochs, 0, 100000));
  p.finetune_lr_scale = m.any_number("finetune_lr_scale", p.finetune_lr_scale);
  p.data_batches = static_cast<int>(m.integer("data_batches", p.data_batches, 0, 100000));
  if (m.has("sparsegpt")) p.reconstruction = parse_reconstruction(m.map("sparsegpt"));
  if (m.has("bn_recalibration")) {
    YamlMap r = m.map("bn_recalibration");
    p.bn_recalibration_batches =
        static_cast<int>(r.integer("batches", kRecalibrationBatches, 0, 100000));
    r.finish();
  }
  if (m.has("overrides")) {
    const YAML::Node list = m.node("overrides");
    if (!list.IsSequence())
      m.fail("overrides", "expected a list of {name, exclude | sparsity | rate_scale}");
    for (std::size_t i = 0; i < list.size(); ++i) {
      YamlMap o(list[i], m.file(), fmt::format("{}.overrides[{}]", m.path(), i));
      LayerOverride lo;
      lo.name = o.text("name", std::nullopt);
      lo.exclude = o.boolean("exclude", false);
      // Absent is -1 ("follow the scope"); a value written must be a sparsity.
      if (o.has("sparsity")) {
        lo.sparsity = o.any_number("sparsity", std::nullopt);
        if (!(lo.sparsity >= 0.0 && lo.sparsity < 1.0))
          o.fail("sparsity", fmt::format("must be in [0, 1), got {}", o.node("sparsity").Scalar()));
      }
      lo.rate_scale = o.any_number("rate_scale", 1.0);
      o.finish();
      p.overrides.push_back(lo);
    }
  }
  m.finish();
  const std::vector<FieldError> errors = check_prune_settings(p);
  if (!errors.empty()) {
    const FieldError& e = errors.front();
    const YAML::Node at = node_at(m.yaml(), e.field);
    throw ConfigError(fmt::format("{}: '{}.{}': {}", at ? yaml_where(m.file(), at) : m.where(),
                                  m.path(), e.field, e.message));
  }
  return p;
}

}  // namespace poda
