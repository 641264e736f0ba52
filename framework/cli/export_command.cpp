#include "cli/export_command.h"

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "experiment/config/config.h"
#include "experiment/config/config_source.h"
#include "experiment/config/model_file.h"
#include "experiment/io/output_file.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/model_checkpoint.h"
#include "interop/sparse_export.h"
#include "interop/onnx_export.h"
#include "measure/compact.h"
#include "nn/model_builder.h"

namespace poda {
namespace {

struct TrainedModel {
  std::shared_ptr<Sequential> model;
  Shape input;
  Normalization norm;
};

// The run's config says the architecture and the data (for the normalisation it trained with),
// unless the checkpoint describes its model itself.
std::string run_config_path(const ExportOptions& o) {
  return o.config.empty()
             ? (std::filesystem::path(o.checkpoint).parent_path() / "config.yaml").string()
             : o.config;
}

// The output, checked against every file export reads before any of them is loaded.
OutputTarget export_target(const ExportOptions& o) {
  return {o.out, {o.checkpoint, run_config_path(o)}, o.force};
}

// A self-describing checkpoint (poda import, a run's final.ckpt) says the architecture, the
// input shape and the normalisation itself.
TrainedModel load_described(const ExportOptions& o, const Checkpoint& checkpoint) {
  const ModelDescription d = model_description(checkpoint, o.checkpoint);
  TrainedModel t{nullptr, d.input, d.norm};
  Rng rng(0);
  t.model = build_model(d.layers, t.input, Init::kaiming_uniform, rng);
  load_model_checkpoint(*t.model, checkpoint, o.checkpoint);
  t.model->eval();
  return t;
}

// Without --config, a self-describing checkpoint needs none.
TrainedModel load_trained(const ExportOptions& o) {
  if (o.config.empty()) {
    const Checkpoint checkpoint = load_checkpoint(o.checkpoint);
    if (has_model_description(checkpoint)) return load_described(o, checkpoint);
  }
  const std::string config_path = run_config_path(o);
  const ExperimentConfig c = parse_experiment_config(
      parse_config_text(read_config_file(config_path), config_path), config_path);
  TrainedModel t;
  t.input = dataset_input_shape(c.dataset);
  Rng rng(c.seed);
  t.model = build_model(c.model.layers, t.input, c.model.init, rng);
  load_model_checkpoint(*t.model, load_checkpoint(o.checkpoint), o.checkpoint);
  t.model->eval();
  t.norm =
      c.dataset.normalize ? load_data(c.dataset, c.seed).norm : identity_normalization(t.input[0]);
  return t;
}

}  // namespace

int command_export(const ExportOptions& o) {
  check_output_path(export_target(o));
  TrainedModel t = load_trained(o);
  if (o.compact) {
    CompactResult compact = compact_model(*t.model, t.input);
    if (!compact.model) {
      std::fprintf(stderr, "poda: error: %s cannot be compacted: %s\n", o.checkpoint.c_str(),
                   compact.reason.c_str());
      return kExitInputError;
    }
    t.model = compact.model;
  }
  try {
    if (o.format == "onnx")
      write_output_file(export_target(o), serialize_onnx(export_onnx(*t.model, t.input, t.norm)));
    else
      write_output_file(export_target(o), serialize_sparse_model(*t.model, t.input, t.norm));
  } catch (const std::invalid_argument& e) {  // a layer without an inference lowering
    std::fprintf(stderr, "poda: error: %s: %s\n", o.checkpoint.c_str(), e.what());
    return kExitInputError;
  }
  std::printf("poda export: %s -> %s (%s%s)\n", o.checkpoint.c_str(), o.out.c_str(),
              o.format.c_str(), o.compact ? ", compacted" : "");
  return kExitOk;
}

}  // namespace poda
