#include <doctest/doctest.h>

#include "experiment/config/config.h"

using namespace poda;

namespace {
ExperimentConfig parse(const std::string& text) {
  return parse_experiment_config(YAML::Load(text), "exp.yaml");
}
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("a full config parses into validated structs") {
  const ExperimentConfig c = parse(R"(
name: demo
seed: 3
threads: 2
dataset: {name: fashion-mnist, val_count: 5000, train_limit: 1000}
model:
  layers:
    - {type: flatten}
    - {type: dense, name: fc1, out: 32, init: xavier_uniform}
    - {type: relu}
    - {type: dense, name: out, out: 10, bias: false}
train:
  epochs: 4
  optimizer: adam
  lr: 0.001
  weight_decay: 0.0001
  lr_schedule: {kind: step, step_size: 2, gamma: 0.5}
)");
  CHECK(c.name == "demo");
  CHECK(c.seed == 3);
  CHECK(c.threads == 2);
  CHECK(c.dataset.split.val_count == 5000);
  CHECK(c.dataset.split.train_limit == 1000);
  REQUIRE(c.model.layers.size() == 4);
  CHECK(c.model.layers[1].name == "fc1");
  CHECK(c.model.layers[1].count("out") == 32);
  CHECK(c.model.layers[1].strings.at("init") == "xavier_uniform");
  CHECK_FALSE(c.model.layers[3].flag_or("bias", true));
  CHECK(c.train.optimizer == OptimizerKind::adam);
  CHECK(c.train.adam.weight_decay == doctest::Approx(1e-4));
  CHECK(c.train.schedule.kind == LrSchedule::Kind::step);
  CHECK(c.train.schedule.lr_at(c.train.lr, 2) == doctest::Approx(0.0005));
}

TEST_CASE("the measure section turns latency measurement on") {
  const ExperimentConfig off = parse("model: {zoo: lenet300_100}\n");
  CHECK_FALSE(off.latency);
  const ExperimentConfig defaults = parse("model: {zoo: lenet300_100}\nmeasure: {latency: true}\n");
  REQUIRE(defaults.latency);
  CHECK(defaults.latency->batch_sizes == std::vector<std::size_t>{1, 64});
  CHECK(defaults.latency->protocol.min_calls == 200);
  CHECK(defaults.latency->protocol.warmup_seconds == doctest::Approx(0.3));
  const ExperimentConfig on = parse(
      "model: {zoo: lenet300_100}\nmeasure: {latency: true, latency_batch_sizes: [8, 32], "
      "latency_seconds: 0.1}\n");
  REQUIRE(on.latency);
  CHECK(on.latency->batch_sizes == std::vector<std::size_t>{8, 32});
  CHECK(on.latency->protocol.min_seconds == doctest::Approx(0.1));
  CHECK(error_of("model: {zoo: lenet300_100}\nmeasure: {latency: true, latency_batch_sizes: [0]}\n")
            .find("'measure.latency_batch_sizes': batch sizes must be integers from 1 to 65536") !=
        std::string::npos);
}

TEST_CASE("the name defaults to the file's stem — zoo models resolve to layers") {
  const ExperimentConfig c =
      parse_experiment_config(YAML::Load("model: {zoo: lenet300_100}"), "dir/quick.yaml");
  CHECK(c.name == "quick");
  CHECK(c.model.layers.size() == 6);
}

TEST_CASE("errors carry file, line and column and the expected form") {
  SUBCASE("unknown key, with a suggestion") {
    CHECK(error_of("model: {zoo: lenet300_100}\ntrain:\n  epochs: 3\n  lerning_rate: 0.1\n") ==
          "exp.yaml:4:3: unknown key 'lerning_rate' in 'train' (expected one of: augment, "
          "batch_size, epochs, eval_batch_size, lr, lr_schedule, momentum, nesterov, optimizer, "
          "select_on_val, sparse_training, weight_decay)");
  }
  SUBCASE("misspelt value") {
    CHECK(error_of("model: {zoo: lenet300_100}\ntrain: {optimizer: sdg}\n") ==
          "exp.yaml:2:20: 'train.optimizer': unknown value 'sdg' (expected one of: sgd, adam); "
          "did you mean 'sgd'?");
  }
  SUBCASE("wrong type") {
    CHECK(error_of("model: {zoo: lenet300_100}\ntrain:\n  epochs: ten\n") ==
          "exp.yaml:3:11: 'train.epochs': expected an integer, got 'ten'");
  }
  SUBCASE("out of range") {
    CHECK(error_of("model: {zoo: lenet300_100}\ndataset: {val_fraction: 1.5}\n") ==
          "exp.yaml:2:25: 'dataset.val_fraction': 1.5 is out of range (expected 0 to 0.9)");
  }
  SUBCASE("missing section names the parent's position") {
    CHECK(error_of("seed: 1\n") == "exp.yaml:1:1: 'model': missing section");
  }
  SUBCASE("unknown layer type in a nested list") {
    CHECK(error_of("model:\n  layers:\n    - {type: flatten}\n    - {type: dens, out: 3}\n")
              .rfind("exp.yaml:4:14: 'model.layers[1].type': unknown value 'dens'", 0) == 0);
  }
  SUBCASE("a layer that does not fit its input is rejected at load time") {
    CHECK(
        error_of(
            "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, in: 800, out: 10}\n") ==
        "exp.yaml:4:7: layer 1 '1' (dense): Dense expects input (800) but gets (784)");
  }
  SUBCASE("YAML syntax errors from a file name the file and position") {
    CHECK_THROWS_WITH_AS(load_yaml_file("no/such/file.yaml"),
                         "no/such/file.yaml: cannot open the file: no such file", ConfigError);
  }
}

TEST_CASE("the prune section: parsed, and its errors point at the offending value") {
  const std::string head = "model: {zoo: lenet300_100}\nprune:\n";
  const ExperimentConfig c =
      parse(head +
            "  criterion: magnitude\n  granularity: {kind: n_m, n: 2, m: 4}\n"
            "  sparsity: 0.5\n  schedule: {kind: iterative, rounds: 3}\n"
            "  overrides: [{name: fc3, rate_scale: 0.5}]\n");
  REQUIRE(c.prune);
  CHECK(c.prune->granularity.kind == Granularity::n_m);
  CHECK(c.prune->schedule.kind == "iterative");
  CHECK(c.prune->schedule.numbers.at("rounds") == 3);
  CHECK(c.prune->overrides.at(0).rate_scale == doctest::Approx(0.5));
  CHECK(error_of(head + "  sparsity: 1.0\n") ==
        "exp.yaml:3:13: 'prune.sparsity': must be in [0, 1), got 1");
  CHECK(error_of(head + "  sparsity: 0.5\n  granularity: {kind: n_m, n: 5, m: 4}\n") ==
        "exp.yaml:4:31: 'prune.granularity.n': N must not exceed M (N:M = 5:4)");
  CHECK(error_of(head + "  sparsity: 0.5\n  criterion: magnitud\n")
            .rfind("exp.yaml:4:14: 'prune.criterion': unknown criterion 'magnitud'", 0) == 0);
  CHECK(error_of(head + "  sparsity: 0.5\n  criterion: bn_scale\n  granularity: unstructured\n")
            .rfind("exp.yaml:5:16: 'prune.granularity': criterion 'bn_scale' does not support",
                   0) == 0);
  CHECK(error_of(head + "  sparsity: 0.5\n  schedule: {kind: gradual, step_interval: 0}\n") ==
        "exp.yaml:4:44: 'prune.schedule.step_interval': must be at least 1");
}

TEST_CASE("the layer floor: prune.min_units and prune.max_layer_sparsity") {
  const std::string head = "model: {zoo: lenet300_100}\nprune:\n  sparsity: 0.5\n";
  const ExperimentConfig defaults = parse(head);
  CHECK(defaults.prune->min_units == 1);
  CHECK(defaults.prune->max_layer_sparsity == 1.0);
  const ExperimentConfig c = parse(head + "  min_units: 4\n  max_layer_sparsity: 0.75\n");
  CHECK(c.prune->min_units == 4);
  CHECK(c.prune->max_layer_sparsity == 0.75);
  CHECK(error_of(head + "  min_units: -1\n").rfind("exp.yaml:4:14: ", 0) == 0);
  CHECK(error_of(head + "  min_units: 1.5\n").rfind("exp.yaml:4:14: ", 0) == 0);
  CHECK(error_of(head + "  max_layer_sparsity: 0\n") ==
        "exp.yaml:4:23: 'prune.max_layer_sparsity': must be in (0, 1], got 0");
  CHECK(error_of(head + "  max_layer_sparsity: 1.5\n") ==
        "exp.yaml:4:23: 'prune.max_layer_sparsity': must be in (0, 1], got 1.5");
}

TEST_CASE("prune.group_aggregation: sum, mean (default) or max") {
  const std::string head = "model: {zoo: lenet300_100}\nprune:\n  sparsity: 0.5\n";
  CHECK(parse(head).prune->group_aggregation == GroupAggregation::mean);
  CHECK(parse(head + "  group_aggregation: max\n").prune->group_aggregation ==
        GroupAggregation::max);
  CHECK(parse(head + "  group_aggregation: sum\n").prune->group_aggregation ==
        GroupAggregation::sum);
  const std::string error = error_of(head + "  group_aggregation: median\n");
  CHECK(error.rfind("exp.yaml:4:22: ", 0) == 0);
  CHECK(error.find("median") != std::string::npos);
}
