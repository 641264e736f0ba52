#pragma once
#include <string>

namespace poda {

struct EvalResult {
  double loss = 0.0;
  double accuracy = 0.0;  // fraction in [0, 1]
  std::size_t count = 0;
};

// One epoch of training or fine-tuning; one JSON line in metrics.jsonl.
struct EpochMetrics {
  std::string phase = "train";  // train, finetune, round2, ...
  int epoch = 0;                // 1-based within the phase
  double lr = 0.0;
  double train_loss = 0.0, train_acc = 0.0;
  double val_loss = 0.0, val_acc = 0.0;
  double seconds = 0.0;
  double sparsity = 0.0;  // of prunable weights at the end of the epoch
};

std::string to_json(const EpochMetrics& m);

}  // namespace poda
