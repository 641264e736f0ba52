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

// What load_data and the run would refuse, checked before anything runs from the files'
// headers alone (the data is not read): the dataset's files present and valid, a model whose
// output width is the dataset's classes, a validation set that leaves training data, and a
// rewind step the dense training reaches. Throws ConfigError at the file:line:col in
// `document` of the section (or key) at fault.
void check_run_inputs(const ExperimentConfig& config, const YAML::Node& document);

// Reads the files (DataError names a missing or bad file) and splits with `seed`.
LoadedData load_data(const DatasetConfig& d, std::uint64_t seed);

}  // namespace poda
