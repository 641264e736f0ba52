#include "experiment/runner/quantize_phase.h"

#include <fmt/format.h>

#include "core/random.h"
#include "experiment/runner/quantized_model.h"
#include "infer/measure.h"
#include "quantize/compressed_size.h"
#include "train/trainer.h"

namespace poda {

namespace {

// The fine-tuning of a quantize step: the run's training settings for finetune_epochs
// epochs at finetune_lr_scale times the learning rate, chosen on validation as always.
TrainSettings finetune_settings(const ExperimentConfig& c) {
  const QuantizeSettings& q = *c.quantize;
  TrainSettings t = c.train;
  t.epochs = q.finetune_epochs;
  t.lr = static_cast<float>(t.lr * q.finetune_lr_scale);
  t.schedule.total_epochs = t.epochs;
  return t;
}

// Records the quantized model's test accuracy before the fine-tuning, then fine-tunes it.
void finetune(Module& model, const QuantizeRun& run, const std::string& phase,
              std::function<void(std::size_t)> on_step, RunRecord& record) {
  const TrainSettings t = finetune_settings(run.config);
  if (t.epochs < 1) return;
  record.set("acc_quant_before_finetune",
             evaluate(model, run.data.splits.test, run.data.norm, t.eval_batch_size).accuracy);
  TrainHooks hooks;
  hooks.on_epoch_end = run.log_epoch;
  hooks.on_step_end = std::move(on_step);
  run.progress.message(fmt::format("{}: {} epochs at lr {}", phase, t.epochs, t.lr));
  fit(model, run.data.splits, run.data.norm, t, derive_seed(run.config.seed, 0x9a17), phase, hooks,
      &run.progress);
}

// int8: calibrate the inputs of the weight layers, optionally fine-tune through fake
// quantization (grids fixed, masks kept), then store the weights as int8 levels.
std::shared_ptr<Sequential> quantize_int8(Sequential& model, const QuantizeRun& run,
                                          QuantizedModel& quantized, RunRecord& record) {
  const QuantizeSettings& q = *run.config.quantize;
  quantized.input_grids = calibrate_layer_inputs(model, run.data.splits.train, run.data.norm,
                                                 run.config.train.batch_size, q.calibration);
  auto simulated = with_input_fake_quant(model, quantized.input_grids);
  if (q.mode == QuantMode::aware) {
    set_weight_fake_quant(model, true);
    finetune(*simulated, run, "quantize_aware", {}, record);
    set_weight_fake_quant(model, false);
  }
  materialize_int8_weights(model);
  return simulated;
}

// k-means: share the weights, then move only the centroids by their summed gradients.
void quantize_kmeans(Sequential& model, const QuantizeRun& run, QuantizedModel& quantized,
                     RunRecord& record) {
  const QuantizeSettings& q = *run.config.quantize;
  quantized.shared = share_model_weights(model, q.sharing);
  const float lr = finetune_settings(run.config).lr;
  finetune(
      model, run, "quantize_kmeans",
      [&quantized, lr](std::size_t) { step_centroids(quantized.shared, lr); }, record);
  sync_centroids_from_weights(quantized.shared);
}

// The int8 model on the inference engine's int8 kernels: latency_b<B>_us_int8.
void record_int8_latency(Sequential& model, const QuantizeRun& run,
                         const std::vector<LayerInputGrid>& grids, RunRecord& record) {
  Int8Inputs inputs;
  for (const LayerInputGrid& g : grids) inputs[g.layer] = g.grid;
  const InferenceMeasurement m =
      measure_int8_inference(model, run.data.input_shape, *run.config.latency, inputs);
  for (const NamedValue& v : m.values) record.set(v.name, v.value);
  for (const std::string& log : m.layer_log) run.progress.message("int8 kernels " + log);
}

std::string bits_text(const QuantizeSettings& q) {
  if (q.kind == QuantKind::int8) return "8";
  const int conv = q.sharing.conv_bits, dense = q.sharing.dense_bits;
  return conv == dense ? std::to_string(dense) : fmt::format("{}/{}", conv, dense);
}

}  // namespace

void record_quantize_settings(const ExperimentConfig& c, RunRecord& record) {
  if (!c.quantize) return;
  record.set("quant_kind", quant_kind_name(c.quantize->kind));
  if (c.quantize->kind == QuantKind::int8)
    record.set("quant_mode", quant_mode_name(c.quantize->mode));
  record.set("bits", bits_text(*c.quantize));
}

void run_quantize_phase(Sequential& model, const QuantizeRun& run, RunRecord& record) {
  const QuantizeSettings& q = *run.config.quantize;
  QuantizedModel quantized;
  std::vector<LayerCodes> codes;
  std::shared_ptr<Sequential> evaluated;
  if (q.kind == QuantKind::int8) {
    evaluated = quantize_int8(model, run, quantized, record);
    codes = int8_model_codes(model, q.conv_index_bits, q.dense_index_bits);
    if (run.config.latency) record_int8_latency(model, run, quantized.input_grids, record);
  } else {
    quantize_kmeans(model, run, quantized, record);
    evaluated = std::shared_ptr<Sequential>(std::shared_ptr<Sequential>{}, &model);
    codes = kmeans_model_codes(model, quantized.shared, q.conv_index_bits, q.dense_index_bits);
  }
  const std::size_t batch = run.config.train.eval_batch_size;
  const double acc = evaluate(*evaluated, run.data.splits.test, run.data.norm, batch).accuracy;
  const ModelStorage storage = model_storage(codes, q.huffman);
  record.set("acc_quant", acc);
  record.set("bytes_quant", storage.bytes);
  record.set("compression_ratio", storage.ratio());
  run.progress.message(fmt::format("quantized ({}): test {:.2f}%, {} bytes, {:.1f}x",
                                   quant_kind_name(q.kind), 100 * acc, storage.bytes,
                                   storage.ratio()));
  save_checkpoint(run.run_dir + "/quantized.ckpt", quantized_model_to_checkpoint(model, quantized));
}

}  // namespace poda
