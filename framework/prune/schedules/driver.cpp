#include "prune/schedules/driver.h"

#include <stdexcept>

#include "prune/bn_recalibration.h"
#include "prune/schedules/schedule.h"

namespace poda {

ScheduleRun::ScheduleRun(Module& model, const PruneSettings& s, const ScheduleHooks& hooks,
                         const WeightSnapshot* rewind_point,
                         const std::function<void(const RoundRecord&)>& on_round)
    : model_(model), s_(s), hooks_(hooks), rewind_point_(rewind_point), on_round_(on_round) {
  if (!hooks_.train || !hooks_.evaluate)
    throw std::invalid_argument("run_schedule needs train and evaluate callbacks");
  ctx_.model = &model;
  ctx_.compute_gradients = hooks.compute_gradients;
  ctx_.run_forward = hooks.run_forward;
  ctx_.batches = s.data_batches;
  ctx_.seed = s.seed;
  if (make_criterion(s.criterion)->uses_training_gradients()) {
    accumulator_ = std::make_unique<GradientAccumulator>(model);
    ctx_.accumulated = accumulator_.get();
  }
  recalibration_batches_ = s.bn_recalibration_batches;
  if (recalibration_batches_ == kDefaultRecalibration)
    recalibration_batches_ = has_running_statistics(model) ? kRecalibrationBatches : 0;
}

void ScheduleRun::recalibrate() {
  if (recalibrate_statistics(model_, recalibration_batches_, hooks_.run_forward))
    result_.recalibration_batches = recalibration_batches_;
}

PruneStats ScheduleRun::prune_to(double target) {
  PruneStats stats = prune(model_, s_, target, ctx_);
  ++ctx_.round;
  if (accumulator_) accumulator_->reset();  // movement counts from this mask on
  recalibrate();
  return stats;
}

void ScheduleRun::train(int epochs, double lr_scale, const std::string& phase,
                        std::function<void(long)> on_step, std::function<bool()> selectable) {
  if (epochs <= 0) return;
  TrainRequest r;
  r.epochs = epochs;
  r.lr_scale = lr_scale;
  r.phase = phase;
  r.selectable = std::move(selectable);
  GradientAccumulator* acc = accumulator_.get();
  if (acc || on_step)
    r.on_step = [acc, on_step](long step) {
      if (acc) acc->accumulate();
      if (on_step) on_step(step);
    };
  hooks_.train(model_, r);
}

RoundRecord ScheduleRun::round(int index, double target, const PruneStats& stats) {
  RoundRecord rec;
  rec.round = index;
  rec.target = target;
  rec.stats = stats;
  rec.report = sparsity_report(model_);
  return rec;
}

void ScheduleRun::prune_and_train(int index, double target, int epochs, double lr_scale,
                                  const std::string& phase,
                                  const std::function<void()>& after_prune) {
  RoundRecord rec = round(index, target, prune_to(target));
  if (after_prune) {
    after_prune();
    recalibrate();
  }
  rec.pruned = rec.last_pruned = evaluate();
  train(epochs, lr_scale, phase);
  rec.trained = evaluate();
  finish(std::move(rec));
}

void ScheduleRun::finish(RoundRecord rec) {
  if (result_.rounds.empty()) result_.pruned = rec.pruned;
  result_.before_finetune = rec.last_pruned;
  result_.final = rec.trained;
  if (on_round_) on_round_(rec);
  result_.rounds.push_back(std::move(rec));
}

std::string round_phase(const std::string& what, int round, std::size_t rounds) {
  return rounds > 1 ? what + " " + std::to_string(round) : what;
}

ScheduleResult run_schedule(Module& model, const PruneSettings& s, const ScheduleHooks& hooks,
                            const WeightSnapshot* rewind_point,
                            const std::function<void(const RoundRecord&)>& on_round) {
  ScheduleRun run(model, s, hooks, rewind_point, on_round);
  make_schedule(s.schedule)->run(run);
  return std::move(run.result());
}

}  // namespace poda
