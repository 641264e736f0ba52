// A schedule defined here only, registered by name, read from YAML by the experiment parser
// and run by the driver: adding a schedule is one file (docs/extending.md).
#include <doctest/doctest.h>

#include "experiment/config/config.h"
#include "nn/model_builder.h"
#include "prune/schedules/driver.h"
#include "prune/schedules/schedule.h"

using namespace poda;

namespace {

// Prunes twice without training: to test_first_fraction of the target, then to the target.
class TwoSteps : public Schedule {
 public:
  explicit TwoSteps(const ScheduleSpec& spec)
      : first_(spec.number_or("test_first_fraction", 0.5)) {}
  std::vector<FieldError> validate(const PruneSettings&) const override {
    if (first_ > 0.0 && first_ < 1.0) return {};
    return {{"schedule.test_first_fraction", "must be in (0, 1)"}};
  }
  bool starts_from_pretrained() const override { return false; }
  void run(ScheduleRun& run) const override {
    const double target = run.settings().sparsity;
    run.prune_and_train(1, first_ * target, 0, 1.0, "none");
    run.prune_and_train(2, target, 0, 1.0, "none");
  }

 private:
  double first_;
};

const ScheduleRegistrar reg(
    "test_two_steps", {{{"test_first_fraction", KeyKind::number}},
                       [](const ScheduleSpec& spec) { return std::make_unique<TwoSteps>(spec); },
                       "test only: two pruning steps, no training: [test_first_fraction: 0.5]"});

ExperimentConfig parse(const std::string& prune) {
  return parse_experiment_config(
      YAML::Load("model:\n  layers:\n    - {type: flatten}\n    - {type: dense, name: fc, out: 2}\n"
                 "prune:\n" +
                 prune),
      "ext.yaml");
}

std::string error_of(const std::string& prune) {
  try {
    parse(prune);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a schedule registered in a test file runs from YAML through the config and the driver") {
  const ExperimentConfig c = parse(
      "  sparsity: 0.5\n  scope: layer\n"
      "  schedule: {kind: test_two_steps, test_first_fraction: 0.5}\n");
  REQUIRE(c.prune);
  CHECK(c.prune->schedule.kind == "test_two_steps");
  CHECK_FALSE(make_schedule(c.prune->schedule)->starts_from_pretrained());
  Rng rng(1);
  auto model = build_model(c.model.layers, {1, 2, 2}, c.model.init, rng);
  int trained = 0;
  ScheduleHooks hooks;
  hooks.train = [&](Module&, const TrainRequest&) { ++trained; };
  hooks.evaluate = [](Module&) { return Accuracy{}; };
  std::vector<std::size_t> nonzero;
  const ScheduleResult r = run_schedule(
      *model, *c.prune, hooks, nullptr,
      [&](const RoundRecord& rec) { nonzero.push_back(rec.report.layers.at(0).nonzero); });
  REQUIRE(r.rounds.size() == 2);
  CHECK(r.rounds[0].target == doctest::Approx(0.25));
  CHECK(r.rounds[1].target == doctest::Approx(0.5));
  CHECK(nonzero == std::vector<std::size_t>{6, 4});  // of 8 weights
  CHECK(trained == 0);                               // zero epochs request no training
}

TEST_CASE("schedule keys: any registered schedule's key is accepted, others fail at their place") {
  // A base config swept over prune.schedule.kind carries keys of several schedules.
  const ExperimentConfig c =
      parse("  sparsity: 0.5\n  schedule: {kind: one_shot, rounds: 3, test_first_fraction: 0.2}\n");
  CHECK(c.prune->schedule.numbers.at("rounds") == 3);
  const std::string unknown =
      error_of("  sparsity: 0.5\n  schedule: {kind: one_shot, roundz: 3}\n");
  CHECK(unknown.rfind("ext.yaml:7:", 0) == 0);
  CHECK(unknown.find("roundz") != std::string::npos);
  CHECK(error_of("  sparsity: 0.5\n  schedule: {kind: test_two_steps, test_first_fraction: 2}\n") ==
        "ext.yaml:7:57: 'prune.schedule.test_first_fraction': must be in (0, 1)");
  CHECK(
      error_of("  sparsity: 0.5\n  schedule: {kind: test_three_steps}\n").rfind("ext.yaml:7:", 0) ==
      0);
}
