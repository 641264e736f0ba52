#include "experiment/runner/quantize_phase.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/random.h"
#include "experiment/io/atomic_file.h"
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

// What a scheme's phase gets from the run.
class RunServices : public QuantizeRun {
 public:
  RunServices(const QuantizeRunInputs& run, RunRecord& record) : run_(run), record_(record) {}
  const DataSplits& data() const override { return run_.data.splits; }
  const Normalization& norm() const override { return run_.data.norm; }
  std::size_t batch_size() const override { return run_.config.train.batch_size; }
  float finetune_lr() const override { return finetune_settings(run_.config).lr; }
  // Records the quantized model's test accuracy before the fine-tuning, then fine-tunes it.
  void finetune(Module& model, const std::string& phase,
                std::function<void(std::size_t)> on_step) override {
    const TrainSettings t = finetune_settings(run_.config);
    if (t.epochs < 1) return;
    record_.set("acc_quant_before_finetune",
                evaluate(model, run_.data.splits.test, run_.data.norm, t.eval_batch_size).accuracy);
    TrainHooks hooks;
    hooks.on_epoch_end = run_.log_epoch;
    hooks.on_step_end = std::move(on_step);
    run_.progress.message(fmt::format("{}: {} epochs at lr {}", phase, t.epochs, t.lr));
    fit(model, run_.data.splits, run_.data.norm, t, derive_seed(run_.config.seed, 0x9a17), phase,
        hooks, &run_.progress);
  }
  void record(const std::string& column, double value) override { record_.set(column, value); }
  void message(const std::string& text) override { run_.progress.message(text); }
  void status(const std::string& line) override { run_.progress.status(line); }
  // After the final model's own table (record_latency writes kernels.log first).
  void log_kernels(const std::string& title, const std::vector<std::string>& lines) override {
    const std::string path = run_.run_dir + "/kernels.log";
    std::string log = std::filesystem::exists(path) ? read_file(path) : "";
    if (!log.empty()) log += "\n";
    log += title + " kernels:\n";
    for (const std::string& line : lines) log += line + "\n";
    write_file_atomically(path, log);
    run_.progress.message(title + " kernels chosen per layer: see kernels.log");
  }

 private:
  const QuantizeRunInputs& run_;
  RunRecord& record_;
};

}  // namespace

void record_quantize_settings(const ExperimentConfig& c, RunRecord& record) {
  if (!c.quantize) return;
  record.set("quant_kind", c.quantize->kind);
  for (const auto& [column, text] : c.quantize->scheme->setting_cells()) record.set(column, text);
}

double run_quantize_phase(Sequential& model, const QuantizeRunInputs& run, RunRecord& record) {
  const QuantizeSettings& q = *run.config.quantize;
  RunServices services(run, record);
  const std::unique_ptr<QuantizedModel> quantized = q.scheme->quantize(model, services);
  if (run.config.latency)
    quantized->measure_latency(run.data.input_shape, *run.config.latency, services);
  const std::size_t batch = run.config.train.eval_batch_size;
  const double acc =
      evaluate(*quantized->evaluated(), run.data.splits.test, run.data.norm, batch).accuracy;
  const ModelStorage storage =
      model_storage(quantized->codes(q.conv_index_bits, q.dense_index_bits), q.huffman);
  record.set("acc_quant", acc);
  record.set("bytes_quant", storage.bytes);
  record.set("compression_ratio", storage.ratio());
  run.progress.message(fmt::format("quantized ({}): test {:.2f}%, {} bytes, {:.1f}x", q.kind,
                                   100 * acc, storage.bytes, storage.ratio()));
  save_checkpoint(run.run_dir + "/quantized.ckpt",
                  quantized_model_to_checkpoint(model, *quantized));
  return static_cast<double>(storage.bytes);
}

}  // namespace poda
