#include "experiment/runner/quantize_trial.h"

#include "budget/layer_forms.h"
#include "train/trainer.h"

namespace poda {

namespace {

// What a scheme gets in a trial: the run's data, no fine-tuning, nothing recorded or said.
class TrialServices : public QuantizeRun {
 public:
  TrialServices(const ExperimentConfig& c, const LoadedData& d) : config_(c), data_(d) {}
  const DataSplits& data() const override { return data_.splits; }
  const Normalization& norm() const override { return data_.norm; }
  std::size_t batch_size() const override { return config_.train.batch_size; }
  float finetune_lr() const override {
    return static_cast<float>(config_.train.lr * config_.quantize->finetune_lr_scale);
  }
  void finetune(Module&, const std::string&, std::function<void(std::size_t)>) override {}
  void record(const std::string&, double) override {}
  void message(const std::string&) override {}
  void status(const std::string&) override {}
  void log_kernels(const std::string&, const std::vector<std::string>&) override {}

 private:
  const ExperimentConfig& config_;
  const LoadedData& data_;
};

}  // namespace

QuantTrial quantize_trial(Sequential& model, const ExperimentConfig& config,
                          const LoadedData& data, bool loss) {
  const QuantizeSettings& q = *config.quantize;
  const TrialState state = TrialState::capture(model);
  TrialServices services(config, data);
  QuantTrial trial;
  {
    const std::unique_ptr<QuantizedModel> quantized = q.scheme->quantize(model, services);
    trial.bytes = static_cast<double>(
        model_storage(quantized->codes(q.conv_index_bits, q.dense_index_bits), q.huffman).bytes);
    if (loss)
      trial.loss = evaluate(*quantized->evaluated(), data.splits.val, data.norm,
                          config.train.eval_batch_size)
                     .loss;
  }
  state.restore(model);
  model.eval();
  return trial;
}

}  // namespace poda
