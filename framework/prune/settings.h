#pragma once
// The `prune` section of a config, parsed once (by the experiment layer) into this struct.
// validate() names the offending field by its dotted key so the YAML loader can attach
// file:line:col.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "prune/budget_spec.h"
#include "prune/granularity.h"
#include "prune/group_scores.h"
#include "prune/reconstruction/reconstruction_settings.h"

namespace poda {

enum class Scope { layer, global };

struct LayerOverride {
  std::string name;         // layer ("fc3") or weight parameter ("fc3.weight")
  bool exclude = false;     // leave dense
  double sparsity = -1.0;   // final target for this layer; < 0 = follow the scope
  double rate_scale = 1.0;  // keep (1 - s)^rate_scale: 0.5 prunes at about half the rate
};

// The `schedule` subsection as parsed keys: its kind names a registered schedule
// (prune/schedules/schedule.h), which reads the keys it declared and validates them.
struct ScheduleSpec {
  std::string kind = "one_shot";
  std::map<std::string, double> numbers;       // count, number and flag (0/1) keys
  std::map<std::string, std::string> strings;  // text keys

  double number_or(const std::string& key, double fallback) const;
  bool flag_or(const std::string& key, bool fallback) const;
  std::string text_or(const std::string& key, const std::string& fallback) const;
};

struct FieldError {
  std::string field;  // dotted key inside `prune`, e.g. "granularity.n"
  std::string message;
};

inline constexpr int kDefaultRecalibration = -1;
inline constexpr int kRecalibrationBatches = 50;

struct PruneSettings {
  std::string criterion = "magnitude";
  GranularitySpec granularity;
  Scope scope = Scope::global;
  std::vector<LayerOverride> overrides;
  bool exclude_first = false;  // leave the first prunable layer dense
  bool exclude_last = false;   // leave the last prunable layer dense
  bool include_bias = false;   // unstructured: biases compete with weights
  // The per-layer floor no step goes below (docs/pruning.md, "Layer floor"): at least
  // min_units of the granularity's units of every pruned layer stay, and at most
  // max_layer_sparsity of them go (1 = no cap). 0 units lets a layer collapse.
  int min_units = 1;
  double max_layer_sparsity = 1.0;
  // Neuron and filter pruning remove dependency groups (prune/dependency_groups.h); a
  // channel's score combines its writers' scores this way.
  GroupAggregation group_aggregation = GroupAggregation::mean;
  double sparsity = 0.9;  // cumulative target
  // prune.budget: the target is a cost to meet (prune/budget_spec.h), searched per layer,
  // instead of `sparsity` (giving both is an error).
  std::optional<BudgetSpec> budget;
  ScheduleSpec schedule;
  int finetune_epochs = 3;
  double finetune_lr_scale = 0.1;
  int data_batches = 8;  // taylor, snip, movement without training gradients; wanda, sparsegpt
  ReconstructionSettings reconstruction;  // prune.sparsegpt: {block_size, damp}
  // BatchNorm statistics re-estimated on this many training batches after every pruning step
  // (prune/bn_recalibration.h); kDefaultRecalibration: kRecalibrationBatches when the model
  // has BatchNorm. 0 turns it off.
  int bn_recalibration_batches = kDefaultRecalibration;
  std::uint64_t seed = 0;

  // Its own fields and the criterion's needs. The schedule's keys are the schedule's to check
  // (schedules depend on these settings, not the other way round): check_prune_settings()
  // in prune/schedules/schedule.h runs both.
  std::vector<FieldError> validate() const;
};

Scope parse_scope(const std::string& name);  // throws std::invalid_argument with the choices
std::string scope_name(Scope s);

// For validation messages: 0.5 -> "0.5", 3.0 -> "3"; {"a", "b"} -> "a, b".
std::string format_number(double v);
std::string join_names(const std::vector<std::string>& names);

}  // namespace poda
