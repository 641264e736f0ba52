#pragma once
// Runs a pruning schedule: the registered Schedule (schedules/schedule.h) decides when to
// prune and what training happens in between; ScheduleRun gives it the steps (prune, train,
// evaluate, record a round). Training and evaluation come in as callbacks, so the experiment
// runner plugs in the real trainer and tests plug in something tiny.
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "prune/gradient_accumulator.h"
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
  ForwardFn run_forward;         // for activation-based criteria; may be empty otherwise
  // Optimiser steps in one training epoch (dynamic sparse training ends its mask updates at a
  // fraction of the run); 0 = unknown.
  long steps_per_epoch = 0;
};

struct RoundRecord {
  int round = 0;          // 1-based
  double target = 0.0;    // cumulative target of this round
  PruneStats stats;       // over the scope
  SparsityReport report;  // over the whole model, after the round's pruning
  Accuracy
      pruned;  // right after pruning (lottery: after rewinding; gradual: the first mask update)
  Accuracy last_pruned;  // right after the round's last pruning step, before the training that
                         // follows it: gradual's last mask update, otherwise `pruned`
  Accuracy trained;      // after the round's (fine-)training
};

struct ScheduleResult {
  std::vector<RoundRecord> rounds;
  Accuracy pruned;           // after the first pruning step (runs.csv acc_pruned, per schedule)
  Accuracy before_finetune;  // after the final pruning step, before its fine-tuning
  Accuracy final;
  // Training batches the BatchNorm statistics were re-estimated on after each pruning step
  // (0: not re-estimated: no BatchNorm, turned off, or no forward hook).
  int recalibration_batches = 0;
};

// What a schedule drives: one run of it on one model.
class ScheduleRun {
 public:
  ScheduleRun(Module& model, const PruneSettings& settings, const ScheduleHooks& hooks,
              const WeightSnapshot* rewind_point,
              const std::function<void(const RoundRecord&)>& on_round);

  Module& model() { return model_; }
  const PruneSettings& settings() const { return s_; }
  const ScheduleHooks& hooks() const { return hooks_; }
  // The caller's rewind point (lottery), or nullptr.
  const WeightSnapshot* rewind_point() const { return rewind_point_; }

  // One pruning step to the cumulative `target`, then the BatchNorm statistics re-estimated
  // (prune.bn_recalibration); the next step counts as the next round.
  PruneStats prune_to(double target);
  // Re-estimates the BatchNorm statistics when the settings ask for it (after the weights
  // changed other than by training: a pruning step, a rewind).
  void recalibrate();
  // Trains `epochs` (nothing when <= 0) at lr_scale x the configured rate.
  void train(int epochs, double lr_scale, const std::string& phase,
             std::function<void(long)> on_step = {}, std::function<bool()> selectable = {});
  Accuracy evaluate() { return hooks_.evaluate(model_); }
  // A round's record after its pruning step: its stats and the model's sparsity report.
  RoundRecord round(int index, double target, const PruneStats& stats);
  // The common round: prune to `target`, then `after_prune` (may be empty; recalibrated
  // again after it), evaluate, train
  // `epochs` at `lr_scale` as `phase`, evaluate and record.
  void prune_and_train(int index, double target, int epochs, double lr_scale,
                       const std::string& phase, const std::function<void()>& after_prune = {});
  // Records a finished round (the first one's `pruned` is the result's `pruned`, the last
  // one's `last_pruned` its `before_finetune`).
  void finish(RoundRecord rec);
  ScheduleResult& result() { return result_; }

 private:
  Module& model_;
  const PruneSettings& s_;
  const ScheduleHooks& hooks_;
  const WeightSnapshot* rewind_point_;
  const std::function<void(const RoundRecord&)>& on_round_;
  CriterionContext ctx_;
  std::unique_ptr<GradientAccumulator> accumulator_;
  ScheduleResult result_;
  int recalibration_batches_ = 0;
};

// "finetune 2" for round 2 of several, "finetune" when there is one round.
std::string round_phase(const std::string& what, int round, std::size_t rounds);

// Runs settings.schedule. `rewind_point` (schedules that rewind, e.g. lottery): the weights to
// rewind to, captured by the caller at initialisation or at the schedule's rewind step of
// dense training; without it the schedule takes the model as freshly initialised, captures
// it, and trains it densely first. `on_round` (may be empty) sees each round as it completes.
ScheduleResult run_schedule(Module& model, const PruneSettings& settings,
                            const ScheduleHooks& hooks,
                            const WeightSnapshot* rewind_point = nullptr,
                            const std::function<void(const RoundRecord&)>& on_round = {});

}  // namespace poda
