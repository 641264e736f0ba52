// at_init: SNIP and friends. Prune the untrained network (the run does not start from the
// shared dense model), then train it train_epochs at the full rate.
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"

namespace poda {
namespace {

class AtInit : public Schedule {
 public:
  explicit AtInit(const ScheduleSpec& spec) : spec_(spec) {}
  std::vector<FieldError> validate(const PruneSettings&) const override {
    std::vector<FieldError> errors;
    check_range(spec_, "train_epochs", 10, 0, 100000, errors);
    return errors;
  }
  bool starts_from_pretrained() const override { return false; }
  void run(ScheduleRun& run) const override {
    const int epochs = static_cast<int>(spec_.number_or("train_epochs", 10));
    run.prune_and_train(1, run.settings().sparsity, epochs, 1.0, "train");
  }

 private:
  ScheduleSpec spec_;
};

const ScheduleRegistrar at_init_registrar(
    "at_init", {{{"train_epochs", KeyKind::count}},
                [](const ScheduleSpec& spec) { return std::make_unique<AtInit>(spec); },
                "prune the untrained model, then train it: [train_epochs: 10]"});

}  // namespace
}  // namespace poda
