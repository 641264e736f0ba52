#pragma once
// A trained model named by the experiment file (`model: {checkpoint: PATH}` or
// `model: {onnx: PATH}`): its architecture, input shape and normalisation, read at validation
// time; the runner loads its weights (experiment/runner/model_checkpoint.h). A checkpoint is
// self-describing through the metadata describe_model() writes (poda import, every run's
// dense.ckpt and final.ckpt).
#include <string>
#include <vector>

#include "data/normalization.h"
#include "experiment/io/checkpoint.h"
#include "nn/layer_spec.h"

namespace poda {

struct ModelDescription {
  std::vector<LayerSpec> layers;
  Shape input;  // one sample, (C, H, W)
  Normalization norm;
};

struct ModelFile {
  std::string path;
  std::string kind;          // "checkpoint" or "onnx"
  std::string content_hash;  // of the file's bytes: what a shared pretraining is keyed on
  ModelDescription description;
};

// The metadata keys of a self-describing checkpoint, written once here.
void describe_model(Checkpoint& checkpoint, const ModelDescription& description);
// Reads them back; CheckpointError naming `source` when a key is missing or malformed.
ModelDescription model_description(const Checkpoint& checkpoint, const std::string& source);
bool has_model_description(const Checkpoint& checkpoint);
// "0.286, 0.353": floats as the metadata and `poda import` write them (9 significant digits).
std::string join_floats(const std::vector<float>& v);

// Reads `path` as `kind`; CheckpointError or OnnxError naming the file when it cannot be read
// or does not describe a model.
ModelFile read_model_file(const std::string& path, const std::string& kind);

}  // namespace poda
