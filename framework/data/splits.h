#pragma once
// Train / validation / test sets. The validation set is carved from the training data by
// a seeded shuffle, so model selection (early stopping, pruning-rate choice) never sees
// the test set.
#include <cstddef>
#include <cstdint>

#include "data/image_set.h"

namespace poda {

struct SplitOptions {
  double val_fraction = 0.1;  // share of the training data held out, in [0, 1)
  std::size_t val_count = 0;  // when > 0, overrides val_fraction
  // 0 = everything; otherwise a seeded random subset of that size (quick experiments).
  std::size_t train_limit = 0, val_limit = 0, test_limit = 0;
  std::uint64_t seed = 0;
};

struct DataSplits {
  ImageSet train, val, test;
};

// Consumes both sets: the training pixels are compacted in place rather than copied, so
// peak memory stays near the size of the data.
DataSplits make_splits(ImageSet train_full, ImageSet test, const SplitOptions& options);

}  // namespace poda
