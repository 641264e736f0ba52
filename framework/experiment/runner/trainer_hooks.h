#pragma once
// The schedule driver's callbacks on top of the real trainer (train/trainer.h): fine-tuning
// phases are fit() calls at a scaled learning rate, evaluation reports validation and test
// accuracy, and data-driven criteria draw their batches from the training split.
#include <cstdint>
#include <functional>

#include "data/splits.h"
#include "prune/schedules/driver.h"
#include "train/trainer.h"

namespace poda {

// `data`, `norm` and `progress` must outlive the hooks. Each training request gets its own
// batch-order seed (derive_seed(seed, its 1-based index)), so phases do not replay the same
// order.
ScheduleHooks trainer_hooks(const DataSplits& data, const Normalization& norm,
                            const TrainSettings& base, std::uint64_t seed,
                            std::function<void(const EpochMetrics&)> on_epoch = {},
                            Progress* progress = nullptr);

}  // namespace poda
