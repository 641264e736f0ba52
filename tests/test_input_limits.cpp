// Bounded resources (issue 9): sweeps are counted before they are expanded, and models are
// sized from their shapes before anything is allocated.
#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "experiment/config/config.h"
#include "experiment/config/input_limits.h"
#include "experiment/config/sweep.h"
#include "nn/model_builder.h"
#include "nn/parameter_budget.h"

using namespace poda;

namespace {

std::string sweep_error(const std::string& text, std::size_t max_runs = kDefaultMaxRuns) {
  try {
    expand_sweep_source(text, "exp.yaml", max_runs);
  } catch (const SweepError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string config_error(const std::string& text) {
  try {
    parse_experiment_config(YAML::Load(text), "exp.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("product_within multiplies without overflowing") {
  const std::size_t max = std::numeric_limits<std::size_t>::max();
  CHECK(product_within(3, 4, 12) == 12u);
  CHECK_FALSE(product_within(3, 4, 11));
  CHECK(product_within(0, max, 5) == 0u);
  CHECK_FALSE(product_within(std::size_t{1} << 32, std::size_t{1} << 32, max));  // 2^64 wraps to 0
  CHECK(product_within(std::size_t{1} << 31, std::size_t{1} << 32, max) == std::size_t{1} << 63);
}

TEST_CASE("a sweep of 64 keys is refused before expanding (2^64 points wrapped to 0 runs)") {
  std::string text = "model: {zoo: lenet300_100}\nextra: {}\nsweep:\n";
  for (int i = 0; i < 64; ++i) text += "  extra.k" + std::to_string(i) + ": [0, 1]\n";
  const std::string e = sweep_error(text);
  CHECK(e.rfind("exp.yaml:4:3: the sweep expands to more than 100000 runs (2 x 2 x", 0) == 0);
  CHECK(e.find("raise the limit with --max-runs") != std::string::npos);
}

TEST_CASE("a sweep of 10^9 points is refused before expanding; the limit is configurable") {
  std::string text = "model: {zoo: lenet300_100}\nextra: {}\nsweep:\n";
  for (int i = 0; i < 9; ++i)
    text += "  extra.k" + std::to_string(i) + ": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n";
  CHECK(sweep_error(text).find(
            "more than 100000 runs (10 x 10 x 10 x 10 x 10 x 10 x 10 x 10 x 10)") !=
        std::string::npos);
  const std::string small =
      "model: {zoo: lenet300_100}\nsweep:\n  seed: [1, 2, 3]\n  threads: [1, 2]\n";
  CHECK(sweep_error(small, 6) == "(no error)");
  CHECK(sweep_error(small, 5).rfind("exp.yaml:3:3: the sweep expands to more than 5 runs (3 x 2)",
                                    0) == 0);
}

TEST_CASE("a layer of size zero is rejected at config time with its position") {
  CHECK(
      config_error("model:\n  layers:\n    - {type: flatten}\n    - {type: dense, out: 0}\n") ==
      "exp.yaml:4:7: layer 1 '1' (dense): Dense: in and out must be at least 1, got in 784, out 0");
  CHECK(config_error(
            "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, out: 10, in: 0}\n")
            .find("Dense: in and out must be at least 1") != std::string::npos);
  CHECK(config_error("model:\n  layers:\n    - {type: conv2d, out: 0, kernel: 3}\n")
            .rfind("exp.yaml:3:7: layer 0 '0' (conv2d)", 0) == 0);
  CHECK(config_error("model:\n  layers:\n    - {type: maxpool2d, kernel: 0}\n")
            .rfind("exp.yaml:3:7: layer 0 '0' (maxpool2d)", 0) == 0);
}

TEST_CASE("a model too large is refused from its shapes at validation, not by std::bad_alloc") {
  const std::string e =
      config_error("model:\n  layers:\n    - {type: flatten}\n    - {type: dense, out: 3000000}\n");
  CHECK(e ==
        "exp.yaml:4:7: layer 1 '1' (dense): a parameter of shape (3000000, 784) takes the model "
        "past 250000000 "
        "parameters, the limit for a model (0 before this layer); is a size mistyped?");
  // Four dimensions of 2^30 overflow 64 bits: still refused, never allocated.
  CHECK(
      config_error("model:\n  layers:\n    - {type: conv2d, out: 1073741824, kernel: 1073741824}\n")
          .rfind("exp.yaml:3:7: layer 0 '0' (conv2d)", 0) == 0);
}

TEST_CASE("a parameter budget counts every parameter and ends with its scope") {
  Rng rng(0);
  LayerSpec flatten{"flatten", "", {}, {}, {}, ""};
  LayerSpec dense{"dense", "", {{"out", 10.0}}, {}, {}, ""};
  {
    const ParameterBudget budget(7850);  // 784 * 10 weights + 10 biases
    CHECK_NOTHROW(build_model({flatten, dense}, {1, 28, 28}, Init::kaiming_uniform, rng));
  }
  {
    const ParameterBudget budget(7849);
    CHECK_THROWS_AS(build_model({flatten, dense}, {1, 28, 28}, Init::kaiming_uniform, rng),
                    ShapeError);
  }
  CHECK_NOTHROW(
      build_model({flatten, dense}, {1, 28, 28}, Init::kaiming_uniform, rng));  // no budget
}
