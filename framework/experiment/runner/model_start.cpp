#include "experiment/runner/model_start.h"

#include <fmt/format.h>

#include "experiment/runner/model_checkpoint.h"
#include "nn/model_builder.h"

namespace poda {

const LoadedData& cached_data(const ExperimentConfig& c) {
  static std::string cached_key;
  static std::unique_ptr<LoadedData> cached;
  const DatasetConfig& d = c.dataset;
  const std::string model_norm = c.model.file ? c.model.file->content_hash : "";
  const std::string key =
      fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", d.name, d.path, d.split.val_fraction,
                  d.split.val_count, d.split.train_limit, d.split.val_limit, d.split.test_limit,
                  d.normalize, c.seed, model_norm);
  if (!cached || key != cached_key) {
    cached.reset();  // free the old splits before loading the new ones
    cached = std::make_unique<LoadedData>(load_data(d, c.seed));
    if (c.model.file) cached->norm = c.model.file->description.norm;
    cached_key = key;
  }
  return *cached;
}

std::shared_ptr<Sequential> fresh_model(const ExperimentConfig& c, const LoadedData& data) {
  Rng rng(c.seed);
  auto model = build_model(c.model.layers, data.input_shape, c.model.init, rng);
  if (c.model.file) load_model_file(*model, *c.model.file);
  return model;
}

ModelDescription model_description(const ExperimentConfig& c, const LoadedData& data) {
  return {c.model.layers, data.input_shape, data.norm};
}

FitResult train_or_take(Sequential& model, const ExperimentConfig& c, const LoadedData& data,
                        const std::string& phase, const TrainHooks& hooks, Progress* progress) {
  if (c.train.epochs > 0)
    return fit(model, data.splits, data.norm, c.train, c.seed, phase, hooks, progress);
  FitResult taken;
  taken.best_val_acc =
      evaluate(model, data.splits.val, data.norm, c.train.eval_batch_size).accuracy;
  return taken;
}

}  // namespace poda
