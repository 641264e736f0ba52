// iterative: `rounds` rounds on a path to the target (schedule_math.h), each followed by
// finetune_epochs of fine-tuning at finetune_lr_scale x lr.
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"
#include "prune/schedules/schedule_math.h"

namespace poda {
namespace {

class Iterative : public Schedule {
 public:
  explicit Iterative(const ScheduleSpec& spec) : spec_(spec) {}
  std::vector<FieldError> validate(const PruneSettings&) const override {
    std::vector<FieldError> errors;
    RoundPath::validate(spec_, errors);
    return errors;
  }
  void run(ScheduleRun& run) const override {
    const PruneSettings& s = run.settings();
    const std::vector<double> targets = RoundPath::from(spec_).targets(s.sparsity);
    for (std::size_t r = 0; r < targets.size(); ++r)
      run.prune_and_train(r + 1, targets[r], s.finetune_epochs, s.finetune_lr_scale,
                          round_phase("finetune", r + 1, targets.size()));
  }

 private:
  ScheduleSpec spec_;
};

const ScheduleRegistrar iterative_registrar(
    "iterative",
    {RoundPath::keys(), [](const ScheduleSpec& spec) { return std::make_unique<Iterative>(spec); },
     "rounds of prune + fine-tune: [rounds: 5], [path: geometric | fixed_rate | linear], "
     "[rate: 0.2]"});

}  // namespace
}  // namespace poda
