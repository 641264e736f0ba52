// lottery (Frankle & Carbin 2019): iterative pruning (any criterion), and after each round's
// pruning the surviving weights are rewound to a snapshot (the initialisation, or the
// weights after rewind_step steps of dense training) and trained train_epochs at the full
// rate. random_reinit is the control: survivors get the snapshot's values in a seeded random
// order (fresh draws from the initial distribution).
#include "core/random.h"
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"
#include "prune/schedules/schedule_math.h"

namespace poda {
namespace {

class Lottery : public Schedule {
 public:
  explicit Lottery(const ScheduleSpec& spec) : spec_(spec) {}

  std::vector<FieldError> validate(const PruneSettings&) const override {
    std::vector<FieldError> errors;
    RoundPath::validate(spec_, errors);
    check_range(spec_, "rewind_step", 0, 0, 1e12, errors);
    check_range(spec_, "train_epochs", 10, 0, 100000, errors);
    return errors;
  }
  std::optional<long> rewind_step() const override {
    return static_cast<long>(spec_.number_or("rewind_step", 0));
  }

  void run(ScheduleRun& run) const override {
    const int epochs = static_cast<int>(spec_.number_or("train_epochs", 10));
    WeightSnapshot own;
    const WeightSnapshot* rewind_point = run.rewind_point();
    if (!rewind_point) {
      own = capture_while_training_dense(run, epochs);
      rewind_point = &own;
    }
    const PruneSettings& s = run.settings();
    const bool reinit = spec_.flag_or("random_reinit", false);
    const std::vector<double> targets = RoundPath::from(spec_).targets(s.sparsity);
    for (std::size_t r = 0; r < targets.size(); ++r)
      run.prune_and_train(
          r + 1, targets[r], epochs, 1.0, round_phase("round", r + 1, targets.size()), [&] {
            if (reinit)
              rewind_point->shuffled(derive_seed(s.seed, r + 1)).restore(run.model());
            else
              rewind_point->restore(run.model());
          });
  }

 private:
  // Without the runner's snapshot: the model is freshly initialised; capture it (or step k of
  // this dense training) and train it densely.
  WeightSnapshot capture_while_training_dense(ScheduleRun& run, int epochs) const {
    WeightSnapshot own = WeightSnapshot::capture(run.model());
    const long k = *rewind_step();
    std::function<void(long)> on_step;
    if (k > 0)
      on_step = [&](long step) {
        if (step + 1 == k) own = WeightSnapshot::capture(run.model());
      };
    run.train(epochs, 1.0, "dense", on_step);
    return own;
  }

  ScheduleSpec spec_;
};

std::map<std::string, KeyKind> lottery_keys() {
  std::map<std::string, KeyKind> keys = RoundPath::keys();
  keys.insert({{"rewind_step", KeyKind::count},
               {"random_reinit", KeyKind::flag},
               {"train_epochs", KeyKind::count}});
  return keys;
}

const ScheduleRegistrar lottery_registrar(
    "lottery",
    {lottery_keys(), [](const ScheduleSpec& spec) { return std::make_unique<Lottery>(spec); },
     "lottery ticket: rounds of prune + rewind + train: [rounds: 5], [path], [rate], "
     "[rewind_step: 0], [random_reinit: false], [train_epochs: 10]"});

}  // namespace
}  // namespace poda
