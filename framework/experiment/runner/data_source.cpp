#include "experiment/runner/data_source.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "data/cifar10.h"
#include "data/data_error.h"
#include "data/mnist.h"
#include "experiment/config/input_limits.h"
#include "experiment/io/yaml_reader.h"
#include "nn/model_builder.h"
#include "nn/parameter_budget.h"
#include "prune/schedules/schedule.h"

namespace poda {
namespace {

// Training-set size of the dataset's files, from their headers; each folder is read once per
// process (a sweep checks every point).
std::size_t checked_train_count(const DatasetConfig& d) {
  static std::map<std::string, std::size_t> counts;
  const std::string key = d.name + "|" + d.path;
  if (auto it = counts.find(key); it != counts.end()) return it->second;
  std::size_t train = 0;
  if (d.name == "cifar10") {
    const std::string dir = d.path.empty() ? default_cifar10_dir() : d.path;
    train = check_cifar10_split(dir, true);
    check_cifar10_split(dir, false);
  } else {
    const std::string dir = d.path.empty() ? default_fashion_mnist_dir() : d.path;
    train = check_mnist_split(dir, true);
    check_mnist_split(dir, false);
  }
  return counts[key] = train;
}

// file:line:col of the node at `keys` under `node`, or of the deepest one that exists.
std::string where_in(const std::string& file, const YAML::Node& node,
                     const std::vector<std::string>& keys, std::size_t depth = 0) {
  if (depth == keys.size() || !node.IsMap() || !node[keys[depth]]) return yaml_where(file, node);
  return where_in(file, node[keys[depth]], keys, depth + 1);
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
    full = checked_train_count(c.dataset);
  } catch (const DataError& e) {
    throw ConfigError(where_in(c.file, document, {"dataset"}) + ": " + e.what());
  }
  const Shape output = model_output(c, document);
  if (output != Shape{kDatasetClasses})
    throw ConfigError(fmt::format("{}: the model's output is {}, but dataset '{}' has {} classes",
                                  where_in(c.file, document, {"model"}), shape_str(output),
                                  c.dataset.name, kDatasetClasses));
  const SplitOptions& s = c.dataset.split;
  const std::size_t val =
      s.val_count > 0 ? s.val_count
                      : static_cast<std::size_t>(std::llround(s.val_fraction * double(full)));
  if (val >= full)
    throw ConfigError(
        fmt::format("{}: a validation set of {} leaves no training data out of the "
                    "{} training samples",
                    where_in(c.file, document, {"dataset", "val_count"}), val, full));
  if (!c.prune) return;
  const long rewind = make_schedule(c.prune->schedule)->rewind_step().value_or(0);
  std::size_t train = full - val;
  if (s.train_limit > 0 && s.train_limit < train) train = s.train_limit;
  const std::size_t batches = (train + c.train.batch_size - 1) / c.train.batch_size;
  const auto steps = static_cast<long>(batches * static_cast<std::size_t>(c.train.epochs));
  if (rewind > steps)
    throw ConfigError(fmt::format(
        "{}: rewind_step {} is beyond the dense training ({} epochs of {} batches: {} steps)",
        where_in(c.file, document, {"prune", "schedule", "rewind_step"}), rewind, c.train.epochs,
        batches, steps));
}

LoadedData load_data(const DatasetConfig& d, std::uint64_t seed) {
  ImageSet train, test;
  if (d.name == "cifar10") {
    const std::string dir = d.path.empty() ? default_cifar10_dir() : d.path;
    train = load_cifar10_split(dir, true);
    test = load_cifar10_split(dir, false);
  } else {
    const std::string dir = d.path.empty() ? default_fashion_mnist_dir() : d.path;
    train = load_mnist_split(dir, true);
    test = load_mnist_split(dir, false);
  }
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
