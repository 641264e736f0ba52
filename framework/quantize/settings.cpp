#include "quantize/settings.h"

#include <stdexcept>

namespace poda {

namespace {

std::string in_range(int v, int lo, int hi) {
  return v >= lo && v <= hi ? ""
                            : "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                  "], got " + std::to_string(v);
}

}  // namespace

QuantKind parse_quant_kind(const std::string& name) {
  if (name == "int8") return QuantKind::int8;
  if (name == "kmeans") return QuantKind::kmeans;
  throw std::invalid_argument("unknown quantize kind '" + name +
                              "' (expected one of: int8, kmeans)");
}
std::string quant_kind_name(QuantKind kind) {
  return kind == QuantKind::int8 ? "int8" : "kmeans";
}

QuantMode parse_quant_mode(const std::string& name) {
  if (name == "post_training") return QuantMode::post_training;
  if (name == "aware") return QuantMode::aware;
  throw std::invalid_argument("unknown quantize mode '" + name +
                              "' (expected one of: post_training, aware)");
}
std::string quant_mode_name(QuantMode mode) {
  return mode == QuantMode::post_training ? "post_training" : "aware";
}

std::vector<FieldError> QuantizeSettings::validate() const {
  std::vector<FieldError> errors;
  auto check = [&](const std::string& field, const std::string& message) {
    if (!message.empty()) errors.push_back({field, message});
  };
  if (kind == QuantKind::int8) {
    check("bits", bits == 8 ? "" : "kind int8 stores 8 bits, got " + std::to_string(bits));
    check("calibration.batches", in_range(calibration.batches, 1, 1000000));
    if (calibration.method == CalibrationMethod::percentile &&
        !(calibration.percentile > 50.0 && calibration.percentile <= 100.0))
      check("calibration.percentile",
            "must be in (50, 100], got " + std::to_string(calibration.percentile));
    if (mode == QuantMode::aware && finetune_epochs < 1)
      check("finetune_epochs",
            "mode aware fine-tunes through fake quantization: needs at least "
            "1 epoch, got " +
                std::to_string(finetune_epochs));
  } else {
    check("bits", in_range(bits, 1, 8));
    check("conv_bits", in_range(sharing.conv_bits, 1, 8));
    check("dense_bits", in_range(sharing.dense_bits, 1, 8));
    check("kmeans_iterations", in_range(sharing.max_iterations, 1, 100000));
  }
  check("finetune_epochs", in_range(finetune_epochs, 0, 100000));
  if (!(finetune_lr_scale > 0.0))
    check("finetune_lr_scale", "must be positive, got " + std::to_string(finetune_lr_scale));
  check("conv_index_bits", in_range(conv_index_bits, 1, 16));
  check("dense_index_bits", in_range(dense_index_bits, 1, 16));
  return errors;
}

std::optional<FieldError> check_calibration_batches(const QuantizeSettings& settings,
                                                    long available_batches) {
  if (settings.kind != QuantKind::int8 || settings.calibration.batches <= available_batches)
    return std::nullopt;
  return FieldError{"calibration.batches", std::to_string(settings.calibration.batches) +
                                               " calibration batches, but the "
                                               "training set has only " +
                                               std::to_string(available_batches)};
}

}  // namespace poda
