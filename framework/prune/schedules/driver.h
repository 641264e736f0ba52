#pragma once
// Runs a pruning schedule: when to prune, to which target, and what training happens in
// between. Training and evaluation come in as callbacks, so the experiment runner plugs in
// the real trainer (schedules/trainer_hooks.h) and tests plug in something tiny.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "prune/pruner.h"
#include "prune/schedules/weight_snapshot.h"
#include "prune/sparsity_report.h"

namespace poda {

struct TrainRequest {
  int epochs = 0;
  double lr_scale = 1.0;  // times the configured learning rate
  std::string phase;      // "finetune", "round 2", ... for metrics
  // After every optimiser step, with the step count of this request (0-based); may be empty.
  std::function<void(long step)> on_step;
  // Whether the current weights may be chosen as the best epoch (gradual pruning: only once
  // the final target is reached); may be empty = always.
  std::function<bool()> selectable;
};

struct Accuracy {
  double val = NAN, test = NAN;
};

struct ScheduleHooks {
  std::function<void(Module&, const TrainRequest&)> train;
  std::function<Accuracy(Module&)> evaluate;
  GradientFn compute_gradients;  // for data-driven criteria; may be empty otherwise
};

struct RoundRecord {
  int round = 0;         // 1-based
  double target = 0.0;   // cumulative target of this round
  PruneStats stats;      // over the scope
  SparsityReport report; // over the whole model, after the round's pruning
  Accuracy pruned;       // right after pruning (lottery: after rewinding)
  Accuracy trained;      // after the round's (fine-)training
};

struct ScheduleResult {
  std::vector<RoundRecord> rounds;
  Accuracy pruned;  // after the first pruning step, before any fine-tuning
  Accuracy final;
};

// `rewind_point` (lottery only): the weights to rewind to, captured by the caller at
// initialisation or at step schedule.rewind_step of dense training. Without it the driver
// takes the model as freshly initialised, captures it, and trains it densely first.
// `on_round` (may be empty) sees each round as it completes, e.g. to log it.
ScheduleResult run_schedule(Module& model, const PruneSettings& settings,
                            const ScheduleHooks& hooks, const WeightSnapshot* rewind_point = nullptr,
                            const std::function<void(const RoundRecord&)>& on_round = {});

}  // namespace poda
