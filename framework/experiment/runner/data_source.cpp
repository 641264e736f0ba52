#include "experiment/runner/data_source.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "data/data_error.h"
#include "data/dataset_type.h"
#include "experiment/config/quantize_config.h"
#include "experiment/config/input_limits.h"
#include "experiment/io/yaml_reader.h"
#include "nn/model_builder.h"
#include "nn/parameter_budget.h"
#include "prune/schedules/schedule.h"

namespace poda {
namespace {

// file:line:col of the node at `keys` under `node`, or of the deepest one that exists.
std::string where_in(const std::string& file, const YAML::Node& node,
                     const std::vector<std::string>& keys, std::size_t depth = 0) {
  if (depth == keys.size() || !node.IsMap() || !node[keys[depth]]) return yaml_where(file, node);
  return where_in(file, node[keys[depth]], keys, depth + 1);
}

// The sizes in the dataset's file headers; each location is read once per process (a sweep
// checks every point).
DatasetSizes checked_sizes(const DatasetConfig& d) {
  static std::map<std::string, DatasetSizes> sizes;
  const std::string key = d.name + "|" + d.path;
  if (auto it = sizes.find(key); it != sizes.end()) return it->second;
  return sizes[key] = dataset_type(d.name).inspect(dataset_path(d.name, d.path));
}

// Training batches per epoch after the validation carve-out and train_limit.
std::size_t training_batches(const SplitOptions& s, std::size_t full, std::size_t val,
                             std::size_t batch_size) {
  std::size_t train = full - val;
  if (s.train_limit > 0 && s.train_limit < train) train = s.train_limit;
  return (train + batch_size - 1) / batch_size;
}

// What needs the training set's size: the rewind step of a schedule and what the
// quantization scheme checks (int8's calibration batches).
void check_against_training_batches(const ExperimentConfig& c, const YAML::Node& document,
                                    std::size_t batches) {
  if (c.quantize) {
    const auto too_many =
        c.quantize->scheme->check_training_batches(static_cast<long>(batches));
    if (too_many) throw quantize_config_error(document["quantize"], c.file, *too_many);
  }
  if (!c.prune) return;
  const long rewind = make_schedule(c.prune->schedule)->rewind_step().value_or(0);
  const auto steps = static_cast<long>(batches * static_cast<std::size_t>(c.train.epochs));
  if (rewind > steps)
    throw ConfigError(fmt::format(
        "{}: rewind_step {} is beyond the dense training ({} epochs of {} batches: {} steps)",
        where_in(c.file, document, {"prune", "schedule", "rewind_step"}), rewind, c.train.epochs,
        batches, steps));
}

// The model's output shape on the dataset's samples; each distinct model is built once per
// process (config validation has checked its size before allocating it).
Shape model_output(const ExperimentConfig& c, const YAML::Node& document) {
  static std::map<std::string, Shape> shapes;
  const std::string key = c.dataset.name + "\n" + YAML::Dump(document["model"]);
  if (auto it = shapes.find(key); it != shapes.end()) return it->second;
  Rng rng(0);
  const ParameterBudget budget(kMaxModelParameters);
  const Shape input = dataset_input_shape(c.dataset);
  return shapes[key] = build_model(c.model.layers, input, c.model.init, rng)->output_shape(input);
}

}  // namespace

void check_run_inputs(const ExperimentConfig& c, const YAML::Node& document) {
  std::size_t full = 0;
  try {
    full = checked_sizes(c.dataset).train;
  } catch (const DataError& e) {
    throw ConfigError(where_in(c.file, document, {"dataset"}) + ": " + e.what());
  }
  const Shape output = model_output(c, document);
  const std::size_t classes = dataset_type(c.dataset.name).classes();
  if (output != Shape{classes})
    throw ConfigError(fmt::format("{}: the model's output is {}, but dataset '{}' has {} classes",
                                  where_in(c.file, document, {"model"}), shape_str(output),
                                  c.dataset.name, classes));
  const SplitOptions& s = c.dataset.split;
  const std::size_t val =
      s.val_count > 0 ? s.val_count
                      : static_cast<std::size_t>(std::llround(s.val_fraction * double(full)));
  if (val >= full)
    throw ConfigError(
        fmt::format("{}: a validation set of {} leaves no training data out of the "
                    "{} training samples",
                    where_in(c.file, document, {"dataset", "val_count"}), val, full));
  check_against_training_batches(c, document,
                                 training_batches(s, full, val, c.train.batch_size));
}

LoadedData load_data(const DatasetConfig& d, std::uint64_t seed) {
  const DatasetType& type = dataset_type(d.name);
  const std::string path = dataset_path(d.name, d.path);
  ImageSet train = type.load(path, true), test = type.load(path, false);
  LoadedData out;
  out.input_shape = {train.channels, train.height, train.width};
  SplitOptions split = d.split;
  split.seed = seed;
  out.splits = make_splits(std::move(train), std::move(test), split);
  out.norm = d.normalize ? compute_normalization(out.splits.train)
                         : identity_normalization(out.input_shape[0]);
  return out;
}

}  // namespace poda
