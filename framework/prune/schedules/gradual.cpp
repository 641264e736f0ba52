// gradual (Zhu & Gupta 2017): during train_epochs at the fine-tuning rate, the masks are
// updated at steps t0, t0 + dt, ..., t0 + n dt on the cubic path of schedule_math.h. Only
// epochs at the final target can be chosen as the best epoch. If training ends first, the
// schedule prunes to the target and fine-tunes finetune_epochs.
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"
#include "prune/schedules/schedule_math.h"

namespace poda {
namespace {

class Gradual : public Schedule {
 public:
  explicit Gradual(const ScheduleSpec& spec)
      : s_i_(spec.number_or("initial_sparsity", 0.0)),
        t0_(count(spec, "start_step", 0)),
        n_(count(spec, "prune_steps", 10)),
        dt_(count(spec, "step_interval", 100)),
        spec_(spec) {}

  std::vector<FieldError> validate(const PruneSettings& s) const override {
    std::vector<FieldError> errors;
    if (!(s_i_ >= 0.0 && s_i_ <= s.sparsity))
      errors.push_back(
          {"schedule.initial_sparsity", "must be in [0, sparsity], got " + format_number(s_i_)});
    const double big = 1e12;
    check_range(spec_, "start_step", 0, 0, big, errors);
    check_range(spec_, "prune_steps", 10, 1, big, errors);
    check_range(spec_, "step_interval", 100, 1, big, errors);
    check_range(spec_, "train_epochs", 10, 0, 100000, errors);
    return errors;
  }

  void run(ScheduleRun& run) const override {
    const double s_f = run.settings().sparsity;
    double reached = -1.0;
    PruneStats stats;
    Accuracy first_pruned, last_pruned;
    bool first = true;
    auto prune_and_evaluate = [&](double target) {
      stats = run.prune_to(target);
      const bool last = target >= s_f;  // the accuracies that runs.csv reports
      if (first || last) last_pruned = run.evaluate();
      if (first) first_pruned = last_pruned, first = false;
    };
    auto step = [&](long t) {
      if (!gradual_update_step(t, t0_, n_, dt_)) return;
      reached = gradual_target(t, s_i_, s_f, t0_, n_, dt_);
      prune_and_evaluate(reached);
    };
    // The masks are final only at t0 + n dt; earlier epochs must not be picked as best.
    const int epochs = static_cast<int>(count(spec_, "train_epochs", 10));
    run.train(epochs, run.settings().finetune_lr_scale, "gradual", step,
              [&] { return reached >= s_f; });
    const bool ended_early = reached < s_f;
    if (ended_early) prune_and_evaluate(s_f);  // training ended before the schedule did
    RoundRecord rec = run.round(1, s_f, stats);
    rec.pruned = first_pruned;
    rec.last_pruned = last_pruned;
    if (ended_early)
      run.train(run.settings().finetune_epochs, run.settings().finetune_lr_scale, "finetune");
    rec.trained = run.evaluate();
    run.finish(std::move(rec));
  }

 private:
  static long count(const ScheduleSpec& spec, const std::string& key, long fallback) {
    return static_cast<long>(spec.number_or(key, static_cast<double>(fallback)));
  }
  double s_i_;
  long t0_, n_, dt_;
  ScheduleSpec spec_;
};

const ScheduleRegistrar gradual_registrar(
    "gradual", {{{"initial_sparsity", KeyKind::number},
                 {"start_step", KeyKind::count},
                 {"prune_steps", KeyKind::count},
                 {"step_interval", KeyKind::count},
                 {"train_epochs", KeyKind::count}},
                [](const ScheduleSpec& spec) { return std::make_unique<Gradual>(spec); },
                "cubic sparsity ramp during training (Zhu & Gupta): [initial_sparsity: 0], "
                "[start_step: 0], [prune_steps: 10], [step_interval: 100], [train_epochs: 10]"});

}  // namespace
}  // namespace poda
