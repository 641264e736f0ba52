#pragma once
// The `quantize` section of a config, parsed once (experiment/quantize_config.cpp) into this
// struct, applied after pruning. validate() names an offending field by its dotted key inside
// the section, so the YAML loader can attach file:line:col (as PruneSettings does).
//
//   quantize:
//     kind: int8            # int8 | kmeans
//     mode: post_training   # int8: post_training | aware (fake-quant fine-tuning, masks kept)
//     calibration: {method: min_max, batches: 8, percentile: 99.99}   # int8
//     bits: 5               # kmeans: default of conv_bits and dense_bits; int8: must be 8
//     conv_bits: 8          # kmeans, 1..8
//     dense_bits: 5         # kmeans, 1..8
//     kmeans_iterations: 50
//     finetune_epochs: 2    # aware and kmeans: > 0 for aware
//     finetune_lr_scale: 0.1
//     conv_index_bits: 8    # compressed size: relative-index widths (the paper's 8 and 5)
//     dense_index_bits: 5
//     huffman: true
#include <optional>
#include <string>
#include <vector>

#include "prune/settings.h"
#include "quantize/calibration.h"
#include "quantize/weight_sharing.h"

namespace poda {

enum class QuantKind { int8, kmeans };
enum class QuantMode { post_training, aware };

struct QuantizeSettings {
  QuantKind kind = QuantKind::int8;
  QuantMode mode = QuantMode::post_training;
  CalibrationSettings calibration;
  int bits = 8;
  WeightSharingSettings sharing;  // conv_bits, dense_bits, max_iterations
  int finetune_epochs = 2;
  double finetune_lr_scale = 0.1;
  int conv_index_bits = 8, dense_index_bits = 5;
  bool huffman = true;

  std::vector<FieldError> validate() const;
};

// "calibration.batches" against the training batches there are (known once the dataset is
// read; the runner calls this before anything runs). nullopt when it fits.
std::optional<FieldError> check_calibration_batches(const QuantizeSettings& settings,
                                                    long available_batches);

// These throw std::invalid_argument naming the choices.
QuantKind parse_quant_kind(const std::string& name);
std::string quant_kind_name(QuantKind kind);
QuantMode parse_quant_mode(const std::string& name);
std::string quant_mode_name(QuantMode mode);

}  // namespace poda
