#pragma once
// experiment/config/: the experiment file, parsed and validated into structs (config.h,
// prune_config.h), and the sweep block expanded into one plain document per run (sweep.h).
// Only io/ below it; nothing here runs anything.
//
// The experiment file, parsed once into validated structs, so nothing downstream walks YAML.
// Sections: name, seed, threads, dataset, model, train, prune, quantize and measure (the sweep block
// is expanded before, by sweep.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "data/batch_loader.h"
#include "data/splits.h"
#include "infer/measure.h"
#include "experiment/config/model_file.h"
#include "experiment/io/yaml_reader.h"
#include "experiment/quant_schemes/quant_scheme.h"
#include "nn/init.h"
#include "nn/layer_spec.h"
#include "prune/settings.h"
#include "train/train_settings.h"

namespace poda {

struct DatasetConfig {
  std::string name = "fashion-mnist";  // a registered dataset type (data/dataset_type.h)
  std::string path;                    // folder; "" = the dataset's default location
  SplitOptions split;                  // validation carve-out and size limits
  bool normalize = true;               // per-channel mean/std of the training split
};

// The per-sample input shape (C, H, W) the dataset's format fixes, without reading it.
Shape dataset_input_shape(const DatasetConfig& d);

struct ModelConfig {
  std::string zoo;                // a zoo name, or "" when layers are given
  std::vector<LayerSpec> layers;  // resolved layer list (from the zoo, the file or `file`)
  Init init = Init::kaiming_uniform;
  // `checkpoint: PATH` or `onnx: PATH`: a trained model, whose weights the dense phase starts
  // from (evaluated as they are with train.epochs 0 or absent) and whose normalisation the
  // data gets.
  std::optional<ModelFile> file;
};

struct ExperimentConfig {
  std::string file;  // where it was read from (for messages)
  std::string name;  // results/<name>/
  std::uint64_t seed = 0;
  int threads = 1;  // BLAS threads per run
  DatasetConfig dataset;
  ModelConfig model;
  TrainSettings train;
  std::optional<PruneSettings> prune;               // absent: a dense run
  std::optional<QuantizeSettings> quantize;         // applied after pruning; absent: fp32
  std::optional<InferenceMeasureSettings> latency;  // measure.latency: time the final model
};

// Parses and validates a whole experiment document; throws ConfigError "file:line:col: ...".
ExperimentConfig parse_experiment_config(const YAML::Node& root, const std::string& file);
// Loads a file (YAML syntax errors also become ConfigError with file:line:col).
YAML::Node load_yaml_file(const std::string& path);

// Section parsers, reusable by later sections (e.g. fine-tuning settings inside prune).
DatasetConfig parse_dataset(YamlMap section);
ModelConfig parse_model(YamlMap section);
// `min_epochs` 0 when the model comes trained (ModelConfig::file).
TrainSettings parse_train(YamlMap section, const TrainSettings& defaults, long min_epochs = 1);
// measure: {latency: true, latency_batch_sizes: [1, 64], latency_seconds: 1.0,
//           latency_warmup_seconds: 0.3, latency_min_calls: 200}
std::optional<InferenceMeasureSettings> parse_measure(YamlMap section);
std::vector<LayerSpec> parse_layer_list(const YAML::Node& list, const std::string& file,
                                        const std::string& path);

}  // namespace poda
