#pragma once
// Where a run's model and data come from: the model built from its layers and initialised, or
// loaded from the trained model the experiment names (model: {checkpoint | onnx}); the data
// split and normalised as the model expects (a trained model brings its own normalisation).
#include <memory>

#include "experiment/config/config.h"
#include "experiment/runner/data_source.h"
#include "nn/layers/sequential.h"
#include "train/trainer.h"

namespace poda {

// One process runs many points of the same data: the last loaded splits are kept.
const LoadedData& cached_data(const ExperimentConfig& config);

// The model of the experiment before any training of this run: freshly initialised with the
// seed, or the named file's weights.
std::shared_ptr<Sequential> fresh_model(const ExperimentConfig& config, const LoadedData& data);

// What a checkpoint of this experiment's model says about itself (model_file.h).
ModelDescription model_description(const ExperimentConfig& config, const LoadedData& data);

// The dense training: config.train.epochs of fit(), or, for a model given trained with no
// epochs to add, its validation accuracy as it is (best_epoch 0).
FitResult train_or_take(Sequential& model, const ExperimentConfig& config,
                        const LoadedData& data, const std::string& phase, const TrainHooks& hooks,
                        Progress* progress);

}  // namespace poda
