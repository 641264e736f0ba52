#pragma once
// A quantization scheme: one file (or one small folder) under experiment/quant_schemes/ that
// registers itself by name, like a schedule or a dataset type, after which
// `quantize: {kind: NAME}` works in an experiment file and in `poda list quantization`:
//
//   const QuantSchemeRegistrar int8_registrar("int8", {parse, {".int8", ".scale"}, load, "int8 ..."});
//
// The scheme reads and validates its own keys of the `quantize` section, quantizes the pruned
// model in the run's quantize phase (fine-tuning through what the runner offers), states its
// cells of the run's row, counts its stored size, saves its quantized form into the run's
// quantized.ckpt and rebuilds a model from it, and may time its own inference path. The
// runner asks the scheme instead of testing its kind. The keys every scheme shares (the
// fine-tuning, the relative-index widths, Huffman coding) are QuantizeSettings' own.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "data/normalization.h"
#include "data/splits.h"
#include "experiment/io/checkpoint.h"
#include "experiment/io/yaml_reader.h"
#include "infer/measure.h"
#include "nn/layers/sequential.h"
#include "prune/settings.h"
#include "quantize/compressed_size.h"

namespace poda {

class QuantScheme;

// The `quantize` section, parsed once (experiment/config/quantize_config.cpp).
struct QuantizeSettings {
  std::string kind;         // the registered scheme
  int finetune_epochs = 2;  // for schemes that fine-tune; 0: none
  double finetune_lr_scale = 0.1;
  int conv_index_bits = 8, dense_index_bits = 5;  // relative-index widths of the stored size
  bool huffman = true;
  std::shared_ptr<const QuantScheme> scheme;  // `kind`, built from its own keys

  // The scheme's errors, then the shared keys'; fields are keys inside `quantize`.
  std::vector<FieldError> validate() const;
};

// What the runner offers a scheme's phase (experiment/runner/quantize_phase.cpp).
class QuantizeRun {
 public:
  virtual ~QuantizeRun() = default;
  virtual const DataSplits& data() const = 0;
  virtual const Normalization& norm() const = 0;
  virtual std::size_t batch_size() const = 0;  // the run's training batch size
  virtual float finetune_lr() const = 0;       // finetune_lr_scale x the run's lr
  // With finetune_epochs > 0: records acc_quant_before_finetune of `model`, then trains it
  // (the run's train settings, chosen on validation) calling on_step after every step.
  virtual void finetune(Module& model, const std::string& phase,
                        std::function<void(std::size_t)> on_step) = 0;
  virtual void record(const std::string& column, double value) = 0;
  virtual void message(const std::string& text) = 0;
  // One redrawn line on a terminal (Progress::status); "" clears it.
  virtual void status(const std::string& line) = 0;
  // Appends `lines` (which kernel each layer took) under `title` to the run's kernels.log
  // and says so in one terminal line; the table itself never goes to the terminal.
  virtual void log_kernels(const std::string& title, const std::vector<std::string>& lines) = 0;
};

// A model quantized by a scheme. The model's own weights hold the quantized values.
class QuantizedModel {
 public:
  virtual ~QuantizedModel() = default;
  // What computes as the quantized model does: the model itself, or a Sequential sharing
  // its layers (int8: with the input quantizers in front).
  virtual std::shared_ptr<Sequential> evaluated() const = 0;
  // The stored size's layers (quantize/compressed_size.h).
  virtual std::vector<LayerCodes> codes(int conv_index_bits, int dense_index_bits) const = 0;
  // Adds the quantized form to `checkpoint`, which holds the model's ordinary entries
  // (quant_checkpoint.h: entries "<param><suffix>", metadata quant.<param>.kind = the name).
  virtual void save(Checkpoint& checkpoint) const = 0;
  // The scheme's inference lowering, timed when the run has measure.latency; records its
  // latency columns. Nothing for a scheme without an inference path of its own.
  virtual void measure_latency(const Shape& input_shape, const InferenceMeasureSettings& settings,
                               QuantizeRun& run) const {}
};

class QuantScheme {
 public:
  virtual ~QuantScheme() = default;
  // Checks the scheme's own keys, and the shared ones it depends on.
  virtual std::vector<FieldError> validate(const QuantizeSettings& settings) const { return {}; }
  // Against the training batches there are (known once the dataset's headers are read);
  // nullopt when it fits.
  virtual std::optional<FieldError> check_training_batches(long available) const {
    return std::nullopt;
  }
  // The run row's setting cells besides quant_kind (quant_mode, bits), as text.
  virtual std::vector<std::pair<std::string, std::string>> setting_cells() const = 0;
  // The quantize phase: quantizes `model` in place.
  virtual std::unique_ptr<QuantizedModel> quantize(Sequential& model, QuantizeRun& run) const = 0;
};

// Reads the scheme's keys from the `quantize` section with YamlMap's type checks (the ranges
// belong in validate()). Every registered scheme reads its keys whatever the kind, so a base
// config can sweep quantize.kind; the chosen scheme's result is kept.
using QuantSchemeParser = std::function<std::unique_ptr<QuantScheme>(YamlMap& section)>;

// After the ordinary entries of `checkpoint` are loaded into `model`: rebuilds every weight
// the scheme saved from its quantized form (CheckpointError naming `source` and the entry)
// and returns the model to evaluate, as QuantizedModel::evaluated() did.
using QuantSchemeLoader = std::function<std::shared_ptr<Sequential>(
    Sequential& model, const Checkpoint& checkpoint, const std::string& source)>;

struct QuantSchemeType {
  QuantSchemeParser parse;
  // What QuantizedModel::save() adds after a parameter's name (".int8", ".scale"): the
  // entries the ordinary model loader skips.
  std::vector<std::string> entry_suffixes;
  QuantSchemeLoader load;
  std::string help;  // one line for `poda list`
};

void register_quant_scheme(const std::string& name, QuantSchemeType type);
const QuantSchemeType* find_quant_scheme(const std::string& name);
std::vector<std::string> quant_scheme_names();  // sorted

struct QuantSchemeRegistrar {
  QuantSchemeRegistrar(const std::string& name, QuantSchemeType type) {
    register_quant_scheme(name, std::move(type));
  }
};

// For validate(): "" when lo <= v <= hi, else "must be in [lo, hi], got v".
std::string in_range(int v, int lo, int hi);

// For validate(): collects {field, message} for every message that is not empty.
struct FieldChecks {
  std::vector<FieldError> errors;
  void operator()(const std::string& field, const std::string& message) {
    if (!message.empty()) errors.push_back({field, message});
  }
};

// A bare shared_ptr to `model` that owns nothing: evaluated() of a scheme whose model is
// the model itself.
std::shared_ptr<Sequential> unowned(Sequential& model);

}  // namespace poda
