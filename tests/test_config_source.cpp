// Reading an experiment file before its sections are parsed (issue 9, strict YAML and
// bounded input): the file itself, YAML syntax, duplicate keys; and the stricter scalar rules
// of YamlMap that go with them (quoted numbers, NaN/inf messages, marks of swept keys).
#include <doctest/doctest.h>

#include <string>

#include "cli_process.h"
#include "experiment/config/config.h"
#include "experiment/config/config_source.h"
#include "experiment/config/input_limits.h"
#include "experiment/config/sweep.h"
#include "temp_dir.h"

using namespace poda;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  } catch (const SweepError& e) {
    return e.what();
  }
  return "(no error)";
}

// Everything `poda check` does to a text: parse, duplicate keys, sweep, each point.
std::string check_error(const std::string& text) {
  return error_of([&] {
    parse_config_text(text, "exp.yaml");
    for (const SweepPoint& p : expand_sweep_source(text, "exp.yaml"))
      parse_experiment_config(p.config, "exp.yaml");
  });
}

const std::string kModel = "model: {zoo: lenet300_100}\n";

}  // namespace

TEST_CASE("read_config_file: a folder, a missing file and an oversized file are clear errors") {
  poda_test::TempDir tmp("poda_config_source");
  CHECK(error_of([&] { read_config_file(tmp.str()); }) ==
        tmp.str() + ": is a folder; expected an experiment YAML file");
  CHECK(error_of([&] { read_config_file(tmp.file("none.yaml")); }) ==
        tmp.file("none.yaml") + ": cannot open the file: no such file");

  const std::string at_limit = "# " + std::string(kMaxConfigBytes - 3, 'x') + "\n";
  poda_test::write_text(tmp.file("at_limit.yaml"), at_limit);
  CHECK(read_config_file(tmp.file("at_limit.yaml")).size() == kMaxConfigBytes);
  poda_test::write_text(tmp.file("big.yaml"), at_limit + "\n");
  const std::string big = error_of([&] { read_config_file(tmp.file("big.yaml")); });
  CHECK(big.rfind(tmp.file("big.yaml") + ": the file is larger than 1048576 bytes", 0) == 0);
}

TEST_CASE("duplicate keys are errors at the second key, in any mapping") {
  CHECK(check_error("seed: 1\n" + kModel + "seed: 2\n") ==
        "exp.yaml:3:1: duplicate key 'seed' (first given at line 1); each key may appear once in a "
        "mapping");
  CHECK(check_error(
            "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, out: 10, out: 20}\n")
            .rfind("exp.yaml:4:30: duplicate key 'out' (first given at line 4)", 0) == 0);
  CHECK(check_error(kModel + "sweep:\n  train.lr: [0.1]\n  train.lr: [0.2]\n")
            .rfind("exp.yaml:4:3: duplicate key 'train.lr'", 0) == 0);
  SUBCASE("an alias bomb is walked once per node, not once per reference") {
    std::string bomb = "a: &a [x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'k'; ++c)
      bomb += std::string(1, c) + ": &" + std::string(1, c) + " [*" + std::string(1, c - 1) +
              ", *" + std::string(1, c - 1) + ", *" + std::string(1, c - 1) + ", *" +
              std::string(1, c - 1) + "]\n";
    CHECK_NOTHROW(check_unique_keys(YAML::Load(bomb), "bomb.yaml"));  // 8 * 4^10 references
  }
}

TEST_CASE("a quoted number or boolean is text, not a number") {
  CHECK(check_error(kModel + "train: {lr: \"0.1\"}\n") ==
        "exp.yaml:2:13: 'train.lr': expected a number, got the quoted text '0.1' (write numbers "
        "and true/false without "
        "quotes)");
  CHECK(check_error(kModel + "seed: '3'\n")
            .find("'seed': expected an integer, got the quoted text '3'") != std::string::npos);
  CHECK(check_error(kModel + "dataset: {normalize: \"true\"}\n")
            .find("expected true or false, got the quoted text") != std::string::npos);
  CHECK(check_error("name: \"42\"\n" + kModel) == "(no error)");  // text may be quoted
}

TEST_CASE("NaN and infinity get the real range of the key in their message") {
  const std::string prune = kModel + "prune: {criterion: magnitude, sparsity: ";
  CHECK(check_error(prune + ".nan}\n").find("'prune.sparsity': must be in [0, 1), got nan") !=
        std::string::npos);
  CHECK(check_error(prune + ".inf}\n").find("'prune.sparsity': must be in [0, 1), got inf") !=
        std::string::npos);
  CHECK(check_error(prune + "0.5, finetune_lr_scale: .inf}\n")
            .find("'prune.finetune_lr_scale': must be a positive finite number, got inf") !=
        std::string::npos);
  CHECK(check_error(prune + "0.5, overrides: [{name: \"1\", sparsity: -0.5}]}\n")
            .find("'prune.overrides[0].sparsity': must be in [0, 1), got -0.5") !=
        std::string::npos);
  CHECK(check_error(prune + "0.5, overrides: [{name: \"1\", rate_scale: .inf}]}\n")
            .find("rate_scale': must be a positive finite number, got inf") != std::string::npos);
  CHECK(check_error(kModel + "train: {lr: .nan}\n")
            .find("'train.lr': .nan is out of range (expected 0 to 100)") != std::string::npos);
  CHECK(
      check_error(
          "model:\n  layers: [{type: flatten}, {type: dropout, p: .nan}, {type: dense, out: 10}]\n")
          .find("'model.layers[1].p': expected a finite number, got '.nan'") != std::string::npos);
  for (const char* key : {"finetune_lr_scale", "sparsity"}) {
    CAPTURE(key);
    CHECK(check_error(prune + "0.5, " + key + ": .nan}\n").find("1e+09") == std::string::npos);
  }
}

TEST_CASE("a sweep key that names no field is reported at the sweep's line and column") {
  CHECK(check_error(kModel + "train: {epochs: 1}\nsweep:\n  train.lrr: [0.1, 0.2]\n")
            .rfind("exp.yaml:4:15: unknown key 'lrr' in 'train'", 0) == 0);
}
