// int8: per-channel symmetric int8 weights and per-tensor uint8 inputs calibrated on training
// batches, post-training or fine-tuned through fake quantization (mode: aware, masks kept);
// timed on the inference engine's int8 kernels. Keys:
//   mode: post_training | aware, calibration: {method: min_max | percentile, batches: 8,
//   percentile: 99.99}, bits: 8 (the only width it stores)
#include <fmt/format.h>

#include "experiment/quant_schemes/int8/int8_quantized.h"
#include "quantize/calibration.h"

namespace poda {
namespace {

CalibrationSettings parse_calibration(YamlMap& m) {
  CalibrationSettings c;
  if (!m.has("calibration")) return c;
  YamlMap cm = m.map("calibration");
  c.method = parse_calibration_method(
      cm.text("method", calibration_method_name(c.method), {"min_max", "percentile"}));
  c.batches = static_cast<int>(cm.integer("batches", c.batches, -1000000, 100000000));
  c.percentile = cm.number("percentile", c.percentile, -1e9, 1e9);
  cm.finish();
  return c;
}

class Int8 : public QuantScheme {
 public:
  explicit Int8(YamlMap& m)
      : aware_(m.text("mode", "post_training", {"post_training", "aware"}) == "aware"),
        calibration_(parse_calibration(m)),
        bits_(static_cast<int>(m.integer("bits", 8, -1000, 1000))) {}

  std::vector<FieldError> validate(const QuantizeSettings& s) const override {
    FieldChecks check;
    check("bits", bits_ == 8 ? "" : "kind int8 stores 8 bits, got " + std::to_string(bits_));
    check("calibration.batches", in_range(calibration_.batches, 1, 1000000));
    if (calibration_.method == CalibrationMethod::percentile &&
        !(calibration_.percentile > 50.0 && calibration_.percentile <= 100.0))
      check("calibration.percentile",
            "must be in (50, 100], got " + std::to_string(calibration_.percentile));
    if (aware_ && s.finetune_epochs < 1)
      check("finetune_epochs",
            "mode aware fine-tunes through fake quantization: needs at least 1 epoch, got " +
                std::to_string(s.finetune_epochs));
    return check.errors;
  }

  std::optional<FieldError> check_training_batches(long available) const override {
    if (calibration_.batches <= available) return std::nullopt;
    return FieldError{"calibration.batches",
                      std::to_string(calibration_.batches) +
                          " calibration batches, but the training set has only " +
                          std::to_string(available)};
  }

  std::vector<std::pair<std::string, std::string>> setting_cells() const override {
    return {{"quant_mode", aware_ ? "aware" : "post_training"}, {"bits", "8"}};
  }

  // Calibrates the inputs of the weight layers, optionally fine-tunes through fake
  // quantization (grids fixed, masks kept), then stores the weights as int8 levels.
  std::unique_ptr<QuantizedModel> quantize(Sequential& model, QuantizeRun& run) const override {
    std::vector<LayerInputGrid> grids =
        calibrate_layer_inputs(model, run.data().train, run.norm(), run.batch_size(), calibration_);
    if (aware_) {
      auto simulated = with_input_fake_quant(model, grids);
      set_weight_fake_quant(model, true);
      run.finetune(*simulated, "quantize_aware", {});
      set_weight_fake_quant(model, false);
    }
    return int8_quantized(model, std::move(grids));
  }

 private:
  bool aware_;
  CalibrationSettings calibration_;
  int bits_;
};

std::unique_ptr<QuantScheme> parse(YamlMap& section) {
  return std::make_unique<Int8>(section);
}

const QuantSchemeRegistrar int8_scheme_registrar(
    "int8", {parse,
             {".int8", ".scale"},
             load_int8,
             "per-channel int8 weights, uint8 inputs calibrated on "
             "training batches: [mode: post_training | aware], "
             "[calibration: {method, batches, percentile}]"});

}  // namespace
}  // namespace poda
