#pragma once
// What a training (or fine-tuning) phase needs to know; parsed from the `train` section.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/sparse_linear.h"
#include "data/batch_loader.h"
#include "train/lr_schedule.h"
#include "train/optimizer.h"

namespace poda {

enum class OptimizerKind { sgd, adam };

struct TrainSettings {
  int epochs = 10;
  std::size_t batch_size = 64;
  std::size_t eval_batch_size = 1000;
  OptimizerKind optimizer = OptimizerKind::sgd;
  float lr = 0.05f;
  SgdSettings sgd{0.9f, false, 0.0f};
  AdamSettings adam;
  LrSchedule schedule;
  Augmentation augmentation;
  // Restore the weights of the epoch with the best validation accuracy at the end.
  bool select_on_val = true;
  // `sparse_training`: how Dense layers pick their training path (core/sparse_linear.h).
  // measured (default) times it per shape; off keeps the masked dense path everywhere, so a
  // resumed run repeats another process's numbers bit for bit; forced takes the sparse path
  // wherever it applies.
  SparseTraining sparse_training = SparseTraining::measured;
};

OptimizerKind parse_optimizer_kind(const std::string& name);  // throws listing choices
std::string optimizer_name(OptimizerKind kind);

}  // namespace poda
