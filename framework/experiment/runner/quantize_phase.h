#pragma once
// The quantize step of a run, after pruning and the final model's measurements: the config's
// quantization scheme (experiment/quant_schemes/) quantizes the pruned model, fine-tuning
// through the run's trainer when it wants to, and the run records the quantized model's test
// accuracy, its stored size and ratio to dense fp32, and saves it as quantized.ckpt.
#include <functional>
#include <string>

#include "experiment/config/config.h"
#include "experiment/results/run_record.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/quantized_model.h"
#include "nn/layers/sequential.h"
#include "train/metrics.h"
#include "train/progress.h"

namespace poda {

struct QuantizeRunInputs {
  const ExperimentConfig& config;  // config.quantize is set
  const LoadedData& data;
  std::string run_dir;
  Progress& progress;
  std::function<void(const EpochMetrics&)> log_epoch;
};

// The quantize settings of a run's row (quant_kind and the scheme's cells: quant_mode,
// bits); nothing without a quantize section.
void record_quantize_settings(const ExperimentConfig& config, RunRecord& record);

// Quantizes `model` in place (its weights end as the quantized values) and records
// acc_quant, bytes_quant and compression_ratio. Returns bytes_quant.
double run_quantize_phase(Sequential& model, const QuantizeRunInputs& run, RunRecord& record);

}  // namespace poda
