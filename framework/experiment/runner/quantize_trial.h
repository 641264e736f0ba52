#pragma once
// A bytes budget that may quantize (budget/strategy.h's value_formats): the run's quantize
// scheme applied to a candidate model without its fine-tune, to count what it would store
// and read its validation loss, then the model put back exactly as it was.
#include "budget/strategy.h"
#include "experiment/config/config.h"
#include "experiment/runner/data_source.h"

namespace poda {

// `model` quantized by `config.quantize`'s scheme (no fine-tune): model_storage's bytes (the
// quantize phase's bytes_quant) and, with `loss`, the validation loss of the quantized model.
// The model's weights, masks and buffers are restored afterwards.
QuantTrial quantize_trial(Sequential& model, const ExperimentConfig& config,
                          const LoadedData& data, bool loss);

}  // namespace poda
