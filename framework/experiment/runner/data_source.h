#pragma once
// Turns a dataset section into train/val/test splits and the normalisation to apply.
#include "data/normalization.h"
#include "data/splits.h"
#include "experiment/config/config.h"

namespace poda {

struct LoadedData {
  DataSplits splits;
  Normalization norm;
  Shape input_shape;  // one sample, (C, H, W)
};

// Reads the files (DataError names a missing or bad file) and splits with `seed`.
LoadedData load_data(const DatasetConfig& d, std::uint64_t seed);

}  // namespace poda
