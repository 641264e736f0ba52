// one_shot: prune once to the target, then fine-tune finetune_epochs at
// finetune_lr_scale x lr.
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"

namespace poda {
namespace {

class OneShot : public Schedule {
 public:
  void run(ScheduleRun& run) const override {
    const PruneSettings& s = run.settings();
    run.prune_and_train(1, s.sparsity, s.finetune_epochs, s.finetune_lr_scale, "finetune");
  }
};

const ScheduleRegistrar one_shot_registrar(
    "one_shot", {{},
                 [](const ScheduleSpec&) { return std::make_unique<OneShot>(); },
                 "prune once to the target, then fine-tune finetune_epochs"});

}  // namespace
}  // namespace poda
