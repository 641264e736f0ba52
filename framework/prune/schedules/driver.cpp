#include "prune/schedules/driver.h"

#include <memory>
#include <stdexcept>

#include "prune/gradient_accumulator.h"
#include "prune/schedules/schedule_math.h"

namespace poda {

namespace {

class Runner {
 public:
  Runner(Module& model, const PruneSettings& s, const ScheduleHooks& hooks,
         const std::function<void(const RoundRecord&)>& on_round)
      : model_(model), s_(s), hooks_(hooks), on_round_(on_round) {
    if (!hooks_.train || !hooks_.evaluate)
      throw std::invalid_argument("run_schedule needs train and evaluate callbacks");
    ctx_.model = &model;
    ctx_.compute_gradients = hooks.compute_gradients;
    ctx_.batches = s.data_batches;
    ctx_.seed = s.seed;
    if (make_criterion(s.criterion)->uses_training_gradients()) {
      accumulator_ = std::make_unique<GradientAccumulator>(model);
      ctx_.accumulated = accumulator_.get();
    }
  }

  PruneStats prune_to(double target) {
    PruneStats stats = prune(model_, s_, target, ctx_);
    ++ctx_.round;
    if (accumulator_) accumulator_->reset();  // movement counts from this mask on
    return stats;
  }

  void train(int epochs, double lr_scale, const std::string& phase,
             std::function<void(long)> extra = {}, std::function<bool()> selectable = {}) {
    if (epochs <= 0) return;
    TrainRequest r;
    r.epochs = epochs;
    r.lr_scale = lr_scale;
    r.phase = phase;
    r.selectable = std::move(selectable);
    GradientAccumulator* acc = accumulator_.get();
    if (acc || extra)
      r.on_step = [acc, extra](long step) {
        if (acc) acc->accumulate();
        if (extra) extra(step);
      };
    hooks_.train(model_, r);
  }

  RoundRecord round(int index, double target, const PruneStats& stats) {
    RoundRecord rec;
    rec.round = index;
    rec.target = target;
    rec.stats = stats;
    rec.report = sparsity_report(model_);
    return rec;
  }

  void finish(ScheduleResult& result, RoundRecord rec) {
    if (result.rounds.empty()) result.pruned = rec.pruned;
    result.final = rec.trained;
    if (on_round_) on_round_(rec);
    result.rounds.push_back(std::move(rec));
  }

  Module& model_;
  const PruneSettings& s_;
  const ScheduleHooks& hooks_;
  const std::function<void(const RoundRecord&)>& on_round_;
  CriterionContext ctx_;
  std::unique_ptr<GradientAccumulator> accumulator_;
};

std::string round_phase(const char* what, int r, std::size_t k) {
  return k > 1 ? std::string(what) + " " + std::to_string(r) : std::string(what);
}

}  // namespace

ScheduleResult run_schedule(Module& model, const PruneSettings& s, const ScheduleHooks& hooks,
                            const WeightSnapshot* rewind_point,
                            const std::function<void(const RoundRecord&)>& on_round) {
  Runner run(model, s, hooks, on_round);
  ScheduleResult result;
  const ScheduleSettings& sch = s.schedule;

  switch (sch.kind) {
    case ScheduleKind::one_shot:
    case ScheduleKind::iterative: {
      const std::vector<double> targets = round_targets(s);
      for (std::size_t r = 0; r < targets.size(); ++r) {
        RoundRecord rec = run.round(r + 1, targets[r], run.prune_to(targets[r]));
        rec.pruned = hooks.evaluate(model);
        run.train(s.finetune_epochs, s.finetune_lr_scale, round_phase("finetune", r + 1, targets.size()));
        rec.trained = hooks.evaluate(model);
        run.finish(result, std::move(rec));
      }
      break;
    }
    case ScheduleKind::at_init: {
      // SNIP and friends: prune the untrained network, then train it from there.
      RoundRecord rec = run.round(1, s.sparsity, run.prune_to(s.sparsity));
      rec.pruned = hooks.evaluate(model);
      run.train(sch.train_epochs, 1.0, "train");
      rec.trained = hooks.evaluate(model);
      run.finish(result, std::move(rec));
      break;
    }
    case ScheduleKind::gradual: {
      double reached = -1.0;
      PruneStats stats;
      Accuracy first_pruned;
      bool first = true;
      auto step = [&](long t) {
        if (!gradual_update_step(t, sch.start_step, sch.prune_steps, sch.step_interval)) return;
        const double target = gradual_target(t, sch.initial_sparsity, s.sparsity, sch.start_step,
                                             sch.prune_steps, sch.step_interval);
        stats = run.prune_to(target);
        reached = target;
        if (first) first_pruned = hooks.evaluate(model), first = false;
      };
      // The masks are final only at t0 + n dt; earlier epochs must not be picked as best.
      run.train(sch.train_epochs, s.finetune_lr_scale, "gradual", step,
                [&] { return reached >= s.sparsity; });
      bool extra = false;
      if (reached < s.sparsity) {  // training ended before the schedule did
        stats = run.prune_to(s.sparsity);
        if (first) first_pruned = hooks.evaluate(model);
        reached = s.sparsity;
        extra = true;
      }
      RoundRecord rec = run.round(1, s.sparsity, stats);
      rec.pruned = first_pruned;
      if (extra) run.train(s.finetune_epochs, s.finetune_lr_scale, "finetune");
      rec.trained = hooks.evaluate(model);
      run.finish(result, std::move(rec));
      break;
    }
    case ScheduleKind::lottery: {
      WeightSnapshot own;
      if (!rewind_point) {
        // Capture the initialisation (or step k of this dense training) ourselves.
        own = WeightSnapshot::capture(model);
        const long k = sch.rewind_step;
        run.train(sch.train_epochs, 1.0, "dense",
                  k > 0 ? std::function<void(long)>([&](long step) {
                    if (step + 1 == k) own = WeightSnapshot::capture(model);
                  })
                        : std::function<void(long)>());
        rewind_point = &own;
      }
      const std::vector<double> targets = round_targets(s);
      for (std::size_t r = 0; r < targets.size(); ++r) {
        RoundRecord rec = run.round(r + 1, targets[r], run.prune_to(targets[r]));
        if (sch.random_reinit) rewind_point->shuffled(s.seed * 7919 + r + 1).restore(model);
        else rewind_point->restore(model);
        rec.pruned = hooks.evaluate(model);
        run.train(sch.train_epochs, 1.0, round_phase("round", r + 1, targets.size()));
        rec.trained = hooks.evaluate(model);
        run.finish(result, std::move(rec));
      }
      break;
    }
  }
  return result;
}

}  // namespace poda
