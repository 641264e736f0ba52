// A quantization scheme defined here only: 4-bit uniform weights on one scale per tensor,
// registered by name, read from YAML, run by the runner's quantize phase through run_point,
// counted, saved in quantized.ckpt and loaded back (docs/extending.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "data/dataset_type.h"
#include "experiment/config/config.h"
#include "experiment/quant_schemes/quant_checkpoint.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/pipeline.h"
#include "experiment/runner/quantized_model.h"
#include "nn/model_builder.h"
#include "quantize/weight_layers.h"
#include "temp_dir.h"
#include "train/trainer.h"

using namespace poda;

namespace {

constexpr int kLevels = 7;  // levels in [-7, 7]

struct Int4Weight {
  std::string layer;  // module name: the stored size's layer
  Parameter* weight = nullptr;
  std::vector<int> levels;
  float scale = 1.0f;
  std::size_t others = 0;  // the module's other parameters (bias), kept in fp32
};

// Rounds every weight-layer weight onto clip * max|w| / 7 and writes the values back.
std::vector<Int4Weight> quantize_int4(Module& model, double clip) {
  std::vector<Int4Weight> out;
  for_each_weight_layer(model, [&](const std::string& name, Parameter& w, std::size_t others) {
    Array masked = w.value.data();
    w.mask_buffer(masked);
    float max_abs = 0.0f;
    for (float v : masked) max_abs = std::max(max_abs, std::abs(v));
    Int4Weight q{
        name, &w, {}, max_abs > 0.0f ? static_cast<float>(clip) * max_abs / kLevels : 1.0f, others};
    float* values = w.value.data().data();
    for (std::size_t i = 0; i < masked.size(); ++i) {
      const long level = std::lround(masked.data()[i] / q.scale);
      q.levels.push_back(static_cast<int>(std::clamp(level, -long{kLevels}, long{kLevels})));
      values[i] = static_cast<float>(q.levels.back()) * q.scale;
    }
    out.push_back(std::move(q));
  });
  return out;
}

class Int4Quantized : public QuantizedModel {
 public:
  Int4Quantized(Sequential& model, std::vector<Int4Weight> weights)
      : model_(model), weights_(std::move(weights)) {}
  std::shared_ptr<Sequential> evaluated() const override { return unowned(model_); }
  std::vector<LayerCodes> codes(int conv_index_bits, int dense_index_bits) const override {
    std::vector<LayerCodes> out;
    for (const Int4Weight& w : weights_) {
      LayerCodes c{w.layer,
                   {},
                   2 * kLevels + 1,
                   4,
                   w.weight->value.shape().size() == 4 ? conv_index_bits : dense_index_bits,
                   sizeof(float),
                   w.others};
      for (int level : w.levels) c.codes.push_back(level == 0 ? kPrunedWeight : level + kLevels);
      out.push_back(std::move(c));
    }
    return out;
  }
  void save(Checkpoint& checkpoint) const override {
    for (const Int4Weight& w : weights_) {
      const std::string name = w.layer + ".weight";
      checkpoint.entries.push_back(
          {name + ".int4",
           quant_array(w.weight->value.shape(),
                       std::vector<float>(w.levels.begin(), w.levels.end())),
           std::nullopt});
      checkpoint.entries.push_back(
          {name + ".int4_scale", quant_array({1}, {w.scale}), std::nullopt});
      checkpoint.metadata[quant_metadata_key(name, "kind")] = "test_int4";
    }
  }

 private:
  Sequential& model_;
  std::vector<Int4Weight> weights_;
};

std::shared_ptr<Sequential> load_int4(Sequential& model, const Checkpoint& c,
                                      const std::string& source) {
  for (auto& [name, p] : model.named_parameters()) {
    if (quantized_kind(c, name) == "test_int4") {
      const CheckpointEntry& levels = need_quant_entry(c, name + ".int4", source);
      const float scale = need_quant_entry(c, name + ".int4_scale", source).value.data()[0];
      if (levels.value.size() != p->value.size())
        quant_entry_error(source, name + ".int4", "does not match the weight's size");
      for (std::size_t i = 0; i < levels.value.size(); ++i)
        p->value.data().data()[i] =
            static_cast<float>(quant_integral_in(levels.value.data()[i], -kLevels, kLevels, source,
                                                 name + ".int4")) *
            scale;
    }
    p->apply_mask();
  }
  return unowned(model);
}

class Int4 : public QuantScheme {
 public:
  explicit Int4(YamlMap& m) : clip_(m.number("test_int4_clip", 1.0, -1e9, 1e9)) {}
  std::vector<FieldError> validate(const QuantizeSettings&) const override {
    if (clip_ > 0.0 && clip_ <= 1.0) return {};
    return {{"test_int4_clip", "must be in (0, 1]"}};
  }
  std::vector<std::pair<std::string, std::string>> setting_cells() const override {
    return {{"bits", "4"}};
  }
  std::unique_ptr<QuantizedModel> quantize(Sequential& model, QuantizeRun& run) const override {
    run.message("test_int4: clip " + std::to_string(clip_));
    return std::make_unique<Int4Quantized>(model, quantize_int4(model, clip_));
  }

 private:
  double clip_;
};

const QuantSchemeRegistrar reg("test_int4",
                               {[](YamlMap& m) { return std::make_unique<Int4>(m); },
                                {".int4", ".int4_scale"},
                                load_int4,
                                "test only: 4-bit uniform weights, [test_int4_clip: 1]"});

// 2 classes of 1x4x4 images: class 0 bright in the left half, class 1 in the right.
class Halves : public DatasetType {
 public:
  std::string help() const override { return "test only: bright left or right halves"; }
  std::vector<std::size_t> sample_shape() const override { return {1, 4, 4}; }
  std::size_t classes() const override { return 2; }
  std::string default_path() const override { return "generated"; }
  DatasetSizes inspect(const std::string&) const override { return {64, 16}; }
  ImageSet load(const std::string&, bool train) const override {
    ImageSet s;
    s.count = train ? 64 : 16;
    s.channels = 1, s.height = 4, s.width = 4, s.num_classes = 2;
    for (std::size_t i = 0; i < s.count; ++i) {
      s.labels.push_back(static_cast<std::uint8_t>(i % 2));
      for (std::size_t p = 0; p < 16; ++p)
        s.pixels.push_back((p % 4 < 2) == (i % 2 == 0) ? 200 : static_cast<std::uint8_t>(i % 9));
    }
    return s;
  }
};

const DatasetRegistrar halves("test_int4_halves", [] { return std::make_unique<Halves>(); });

const char* kConfig = R"(
dataset: {name: test_int4_halves, val_count: 8}
model:
  layers:
    - {type: flatten}
    - {type: dense, name: fc1, out: 8}
    - {type: relu}
    - {type: dense, name: fc2, out: 2}
train: {epochs: 10, batch_size: 8, lr: 0.1, momentum: 0.9}
quantize: {kind: test_int4, test_int4_clip: 1.0, huffman: false}
)";

std::string cell(const RunRow& row, const std::string& column) {
  for (const auto& [name, value] : row)
    if (name == column) return value;
  return "(absent)";
}

}  // namespace

TEST_CASE("a quantization scheme registered in a test file is parsed and validated from YAML") {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(kConfig), "int4.yaml");
  REQUIRE(c.quantize);
  CHECK(c.quantize->kind == "test_int4");
  const auto names = quant_scheme_names();
  CHECK(std::count(names.begin(), names.end(), "test_int4") == 1);
  // Its key is read whatever the kind (a base config can sweep quantize.kind) ...
  YAML::Node doc = YAML::Load(kConfig);
  doc["quantize"]["kind"] = "int8";
  CHECK(parse_experiment_config(doc, "int4.yaml").quantize->kind == "int8");
  // ... and validated by the scheme when chosen, at the key's position.
  doc["quantize"]["kind"] = "test_int4";
  doc["quantize"]["test_int4_clip"] = 2.0;
  CHECK_THROWS_WITH_AS(parse_experiment_config(doc, "int4.yaml"),
                       doctest::Contains("'quantize.test_int4_clip': must be in (0, 1]"),
                       ConfigError);
}

TEST_CASE("a quantization scheme registered in a test file runs from YAML through the runner") {
  poda_test::TempDir dir("poda_quant_scheme");
  const YAML::Node doc = YAML::Load(kConfig);
  const ExperimentConfig c = parse_experiment_config(doc, "int4.yaml");
  check_run_inputs(c, doc);
  Progress quiet(Progress::Mode::quiet);
  const std::string run_dir = (dir.path / "run").string();
  const RunRow row = run_point(c, run_dir, "", quiet);
  CHECK(cell(row, "status") == "ok");
  CHECK(cell(row, "quant_kind") == "test_int4");
  CHECK(cell(row, "bits") == "4");
  CHECK(cell(row, "quant_mode") == "(absent)");
  const double acc_quant = std::stod(cell(row, "acc_quant"));
  CHECK(acc_quant > 0.9);  // separable halves survive 4 bits
  CHECK(std::stod(cell(row, "compression_ratio")) > 1.0);
  CHECK(std::stoll(cell(row, "bytes_quant")) > 0);

  // quantized.ckpt holds the scheme's entries; loading rebuilds the weights from them.
  const Checkpoint saved = load_checkpoint(run_dir + "/quantized.ckpt");
  CHECK(checkpoint_scheme(saved, "q") == "test_int4");
  CHECK(is_quantization_entry(saved, "fc1.weight.int4"));
  CHECK_FALSE(is_quantization_entry(saved, "fc1.weight"));
  const LoadedData data = load_data(c.dataset, c.seed);
  Rng rng(5);
  auto fresh = build_model(c.model.layers, data.input_shape, c.model.init, rng);
  auto loaded = load_quantized_model(*fresh, saved, "q");
  CHECK(evaluate(*loaded, data.splits.test, data.norm, 16).accuracy ==
        doctest::Approx(acc_quant).epsilon(1e-3));
  for (auto& [name, p] : fresh->named_parameters()) {
    if (name.find("weight") == std::string::npos) continue;
    CAPTURE(name);
    std::set<float> values(p->value.data().begin(), p->value.data().end());
    CHECK(values.size() <= 2 * kLevels + 1);
  }
}
