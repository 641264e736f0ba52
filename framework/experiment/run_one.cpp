#include "experiment/run_one.h"

#include <chrono>

#include <fmt/format.h>

#include "core/blas_runtime.h"
#include "experiment/atomic_file.h"
#include "experiment/data_source.h"
#include "nn/model_builder.h"
#include "train/trainer.h"

namespace poda {

RunRow run_one(const ExperimentConfig& c, const std::string& run_dir, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  set_blas_threads(c.threads);
  LoadedData data = load_data(c.dataset, c.seed);
  Rng rng(c.seed);
  auto model = build_model(c.model.layers, data.input_shape, c.model.init, rng);

  const std::string metrics_path = run_dir + "/metrics.jsonl";
  TrainHooks hooks;
  hooks.on_epoch_end = [&](const EpochMetrics& m) { append_line_durably(metrics_path, to_json(m)); };
  const FitResult fit_result = fit(*model, data.splits, data.norm, c.train, c.seed, "train", hooks,
                                   &progress);
  const EvalResult test = evaluate(*model, data.splits.test, data.norm, c.train.eval_batch_size);
  const EvalResult val = evaluate(*model, data.splits.val, data.norm, c.train.eval_batch_size);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::size_t params = model->parameter_count();
  const std::size_t macs = model->macs(data.input_shape);
  return {{"seed", std::to_string(c.seed)},
          {"params", std::to_string(params)},
          {"macs", std::to_string(macs)},
          {"best_epoch", std::to_string(fit_result.best_epoch)},
          {"acc_dense", fmt::format("{:.4f}", test.accuracy)},
          {"acc", fmt::format("{:.4f}", test.accuracy)},
          {"val_acc", fmt::format("{:.4f}", val.accuracy)},
          {"train_seconds", fmt::format("{:.1f}", seconds)},
          {"status", "ok"}};
}

}  // namespace poda
