#pragma once
// `poda prune MODEL --dataset NAME --sparsity S ... -o OUT`: prune a trained model in one
// command, without writing an experiment file. It writes the experiment file `poda run` would
// read (model: {onnx | checkpoint: MODEL}, one one-shot pruning point), runs it through the
// same pipeline into the results folder, prints the dense and pruned figures side by side and
// writes the final model.
#include <cstdint>
#include <string>

namespace poda {

struct PruneOptions {
  std::string model;  // .onnx, or a self-describing checkpoint (.ckpt)
  std::string dataset = "fashion-mnist";
  std::string dataset_path;  // "" = the dataset's default folder
  double sparsity = 0.5;
  std::string criterion = "magnitude";
  std::string granularity = "unstructured";
  std::string scope = "global";
  int finetune_epochs = 0;
  double lr = 0.01;  // the fine-tuning learning rate
  bool compact = false;
  std::string out;  // .onnx or .ckpt
  std::string results_root = "results";
  std::uint64_t seed = 0;
};

// The experiment document `poda prune` runs (what `poda run` would read).
std::string prune_experiment_yaml(const PruneOptions& options);

int command_prune(const PruneOptions& options);

}  // namespace poda
