#include <doctest/doctest.h>

#include <string>

#include "experiment/config/quantize_config.h"

using namespace poda;

namespace {
// Parses `text` as the body of a `quantize:` section of q.yaml (the section starts on line 2).
QuantizeSettings parse(const std::string& text) {
  const YAML::Node root = YAML::Load("name: q\nquantize:\n" + text);
  return parse_quantize(YamlMap(root["quantize"], "q.yaml", "quantize"));
}
}  // namespace

using Cells = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("quantize config: int8 and kmeans sections parse into QuantizeSettings") {
  SUBCASE("int8, quantization-aware, percentile calibration") {
    const QuantizeSettings q = parse(
        "  kind: int8\n  mode: aware\n  finetune_epochs: 3\n"
        "  calibration: {method: percentile, batches: 4, percentile: 99.9}\n");
    CHECK(q.kind == "int8");
    REQUIRE(q.scheme);
    CHECK(q.scheme->setting_cells() == Cells{{"quant_mode", "aware"}, {"bits", "8"}});
    CHECK(q.finetune_epochs == 3);
    CHECK_FALSE(q.scheme->check_training_batches(4).has_value());
    REQUIRE(q.scheme->check_training_batches(3).has_value());
    CHECK(q.scheme->check_training_batches(3)->message.find("4 calibration batches") == 0);
  }
  SUBCASE("kmeans: bits is the default of conv_bits and dense_bits") {
    const QuantizeSettings q =
        parse("  kind: kmeans\n  bits: 4\n  conv_bits: 8\n  huffman: false\n");
    CHECK(q.kind == "kmeans");
    REQUIRE(q.scheme);
    CHECK(q.scheme->setting_cells() == Cells{{"bits", "8/4"}});
    CHECK_FALSE(q.scheme->check_training_batches(0).has_value());
    CHECK_FALSE(q.huffman);
    CHECK(q.dense_index_bits == 5);
  }
  SUBCASE("a key of the other scheme is read and ignored, so one config sweeps the kind") {
    const QuantizeSettings q = parse("  kind: kmeans\n  mode: aware\n  calibration: {batches: 2}\n");
    CHECK(q.scheme->setting_cells() == Cells{{"bits", "5"}});
  }
}

TEST_CASE("quantize config: bad input is a file:line:col error naming the key") {
  SUBCASE("bits out of range") {
    CHECK_THROWS_WITH_AS(parse("  kind: kmeans\n  dense_bits: 9\n"),
                         "q.yaml:4:15: 'quantize.dense_bits': must be in [1, 8], got 9",
                         ConfigError);
    CHECK_THROWS_WITH_AS(parse("  kind: int8\n  bits: 4\n"),
                         "q.yaml:4:9: 'quantize.bits': kind int8 stores 8 bits, got 4",
                         ConfigError);
  }
  SUBCASE("unknown kind or mode") {
    CHECK_THROWS_WITH_AS(parse("  kind: int4\n"), doctest::Contains("q.yaml:3:9"), ConfigError);
    CHECK_THROWS_WITH_AS(parse("  kind: int8\n  mode: qat\n"), doctest::Contains("q.yaml:4:9"),
                         ConfigError);
  }
  SUBCASE("aware with zero fine-tune epochs") {
    CHECK_THROWS_WITH_AS(parse("  kind: int8\n  mode: aware\n  finetune_epochs: 0\n"),
                         doctest::Contains("q.yaml:5:20: 'quantize.finetune_epochs': mode aware"),
                         ConfigError);
  }
  SUBCASE("a nested calibration key, and an unknown key") {
    CHECK_THROWS_WITH_AS(parse("  kind: int8\n  calibration:\n    batches: 0\n"),
                         doctest::Contains("q.yaml:5:14: 'quantize.calibration.batches'"),
                         ConfigError);
    CHECK_THROWS_AS(parse("  kind: int8\n  bitz: 8\n"), ConfigError);
  }
}

TEST_CASE("quantize config: calibration batches larger than the training set") {
  const YAML::Node root = YAML::Load("quantize:\n  kind: int8\n  calibration: {batches: 500}\n");
  const QuantizeSettings q = parse_quantize(YamlMap(root["quantize"], "q.yaml", "quantize"));
  CHECK_FALSE(q.scheme->check_training_batches(500).has_value());
  const auto error = q.scheme->check_training_batches(469);
  REQUIRE(error.has_value());
  CHECK(std::string(quantize_config_error(root["quantize"], "q.yaml", *error).what()) ==
        "q.yaml:3:26: 'quantize.calibration.batches': 500 calibration batches, but the training "
        "set has only 469");
}
