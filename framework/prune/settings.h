#pragma once
// The `prune` section of a config, parsed once (by the experiment layer) into this struct.
// validate() names the offending field by its dotted key so the YAML loader can attach
// file:line:col.
#include <cstdint>
#include <string>
#include <vector>

#include "prune/granularity.h"

namespace poda {

enum class Scope { layer, global };
enum class ScheduleKind { one_shot, iterative, gradual, lottery, at_init };
// How iterative rounds approach the cumulative target (schedules/schedule_math.h).
enum class IterativePath { geometric, fixed_rate, linear };

struct LayerOverride {
  std::string name;         // layer ("fc3") or weight parameter ("fc3.weight")
  bool exclude = false;     // leave dense
  double sparsity = -1.0;   // final target for this layer; < 0 = follow the scope
  double rate_scale = 1.0;  // keep (1 - s)^rate_scale: 0.5 prunes at about half the rate
};

struct ScheduleSettings {
  ScheduleKind kind = ScheduleKind::one_shot;
  // iterative and lottery
  int rounds = 5;
  IterativePath path = IterativePath::geometric;
  double rate = 0.2;  // fixed_rate: fraction of the remaining weights pruned per round
  // gradual (Zhu & Gupta 2017), in optimiser steps
  double initial_sparsity = 0.0;
  long start_step = 0;       // t0
  long prune_steps = 10;     // n: number of mask updates after the first
  long step_interval = 100;  // Δt
  // lottery ticket
  long rewind_step = 0;        // 0 = initial weights, k = weights after k training steps
  bool random_reinit = false;  // the control: surviving weights get fresh random values
  int train_epochs = 10;       // lottery / at_init / gradual: training epochs per round
};

struct FieldError {
  std::string field;  // dotted key inside `prune`, e.g. "granularity.n"
  std::string message;
};

struct PruneSettings {
  std::string criterion = "magnitude";
  GranularitySpec granularity;
  Scope scope = Scope::global;
  std::vector<LayerOverride> overrides;
  bool exclude_first = false;  // leave the first prunable layer dense
  bool exclude_last = false;   // leave the last prunable layer dense
  bool include_bias = false;   // unstructured: biases compete with weights
  double sparsity = 0.9;       // cumulative target
  ScheduleSettings schedule;
  int finetune_epochs = 3;
  double finetune_lr_scale = 0.1;
  int data_batches = 8;  // taylor, snip, movement without training gradients
  std::uint64_t seed = 0;

  std::vector<FieldError> validate() const;
};

Scope parse_scope(const std::string& name);  // these throw std::invalid_argument with choices
std::string scope_name(Scope s);
ScheduleKind parse_schedule_kind(const std::string& name);
std::string schedule_kind_name(ScheduleKind k);
IterativePath parse_iterative_path(const std::string& name);
std::string iterative_path_name(IterativePath p);

}  // namespace poda
