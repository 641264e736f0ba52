#include "experiment/config/config.h"

#include <algorithm>

#include <fmt/format.h>

#include "data/dataset_type.h"
#include "experiment/config/config_source.h"
#include "experiment/config/input_limits.h"
#include "experiment/config/prune_config.h"
#include "experiment/config/quantize_config.h"
#include "nn/model_builder.h"
#include "nn/parameter_budget.h"
#include "nn/zoo.h"
#include "prune/pruner.h"

namespace poda {

namespace {

std::string file_stem(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::size_t dot = base.find_last_of('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

// Well-formed UTF-8: no stray continuation byte, no truncated or overlong sequence, no
// surrogate, nothing past U+10FFFF.
bool is_utf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = s[i];
    const std::size_t len = c < 0x80           ? 1
                            : (c >> 5) == 0x6  ? 2
                            : (c >> 4) == 0xE  ? 3
                            : (c >> 3) == 0x1E ? 4
                                               : 0;
    if (len == 0 || i + len > n) return false;
    unsigned code = len == 1 ? c : c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    static constexpr unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMin[len] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

// Layer numbers have no common range (each builder checks its own and says it), but
// none may be NaN or infinite.
double finite_number(YamlMap& m, const std::string& key) {
  const double v = m.any_number(key, 0.0);
  if (!std::isfinite(v))
    m.fail(key, "expected a finite number, got '" + m.node(key).Scalar() + "'");
  return v;
}

LayerSpec parse_layer(const YAML::Node& item, const std::string& file, const std::string& path) {
  YamlMap m(item, file, path);
  LayerSpec spec;
  spec.where = m.where();
  spec.type = m.text("type", std::nullopt, layer_type_names());
  spec.name = m.text("name", std::string());
  const LayerType* type = find_layer_type(spec.type);
  for (const auto& [key, kind] : type->keys) {
    if (!m.has(key)) continue;
    switch (kind) {
      case KeyKind::count:
        spec.numbers[key] = static_cast<double>(m.integer(key, 0, 0, 1L << 30));
        break;
      case KeyKind::number: spec.numbers[key] = finite_number(m, key); break;
      case KeyKind::flag: spec.numbers[key] = m.boolean(key, false) ? 1.0 : 0.0; break;
      case KeyKind::text: spec.strings[key] = m.text(key, std::string()); break;
      case KeyKind::layers:
        spec.lists[key] = parse_layer_list(m.node(key), file, path + "." + key);
        break;
    }
  }
  if (spec.strings.count("init")) {
    try {
      parse_init(spec.strings["init"]);
    } catch (const std::invalid_argument& e) {
      m.fail("init", e.what());
    }
  }
  m.finish();
  return spec;
}

// A model from a file trains no further unless train.epochs says so.
TrainSettings trained_model_train(YamlMap& m, const ModelConfig& model) {
  TrainSettings defaults;
  if (model.file) defaults.epochs = 0;
  const long min_epochs = model.file ? 0 : 1;
  TrainSettings t = m.has("train") ? parse_train(m.map("train"), defaults, min_epochs) : defaults;
  t.schedule.total_epochs = t.epochs;
  return t;
}

// A model from a file was trained on samples of one shape and normalised its own way.
void check_model_file(const ExperimentConfig& c, const YamlMap& m) {
  if (!c.model.file) return;
  const Shape expected = dataset_input_shape(c.dataset);
  const Shape& input = c.model.file->description.input;
  if (input != expected)
    throw ConfigError(fmt::format("{}: the model in '{}' takes samples of shape {}, dataset '{}' "
                                  "has {}",
                                  m.where("model"), c.model.file->path, shape_str(input),
                                  c.dataset.name, shape_str(expected)));
}

// Builds the model once for the dataset's input shape, so a layer that does not fit is
// reported at load time with the layer and both shapes; then checks that the pruning
// settings can prune something of it.
void check_model_shapes(const ExperimentConfig& c, const YamlMap& m) {
  Rng rng(0);
  const ParameterBudget budget(kMaxModelParameters);  // sizes checked before allocating
  std::shared_ptr<Sequential> model;
  try {
    model = build_model(c.model.layers, dataset_input_shape(c.dataset), c.model.init, rng);
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    // Layer specs from the file carry their own file:line:col; zoo models get the model's.
    throw ConfigError(what.rfind(c.file, 0) == 0 ? what : m.where("model") + ": " + what);
  }
  if (!c.prune) return;
  try {
    check_prunable(*model, *c.prune);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(m.where("prune") + ": " + e.what());
  }
}

}  // namespace

Shape dataset_input_shape(const DatasetConfig& d) {
  return dataset_type(d.name).sample_shape();
}

std::vector<LayerSpec> parse_layer_list(const YAML::Node& list, const std::string& file,
                                        const std::string& path) {
  if (!list.IsSequence() || list.size() == 0)
    throw ConfigError(
        fmt::format("{}: '{}' must be a non-empty list of layers", yaml_where(file, list), path));
  std::vector<LayerSpec> layers;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& l = list;
    layers.push_back(parse_layer(l[i], file, fmt::format("{}[{}]", path, i)));
  }
  return layers;
}

YAML::Node load_yaml_file(const std::string& path) {
  return parse_config_text(read_config_file(path), path);
}

DatasetConfig parse_dataset(YamlMap m) {
  DatasetConfig d;
  d.name = m.text("name", d.name, dataset_names());
  d.path = m.text("path", std::string());
  const std::string path_required = dataset_type(d.name).path_required();
  if (!path_required.empty() && d.path.empty()) m.fail("path", path_required);
  if (m.has("val_count") && m.has("val_fraction"))
    m.fail("val_count", "give either val_fraction or val_count, not both");
  d.split.val_fraction = m.number("val_fraction", 0.1, 0.0, 0.9);
  d.split.val_count = static_cast<std::size_t>(m.integer("val_count", 0, 0, 10'000'000));
  if (d.split.val_count == 0 && d.split.val_fraction == 0.0)
    m.fail(m.has("val_count") ? "val_count" : "val_fraction",
           "leaves no validation data, which model selection needs (give val_fraction > 0 or "
           "val_count > 0)");
  d.split.train_limit = static_cast<std::size_t>(m.integer("train_limit", 0, 0, 10'000'000));
  d.split.val_limit = static_cast<std::size_t>(m.integer("val_limit", 0, 0, 10'000'000));
  d.split.test_limit = static_cast<std::size_t>(m.integer("test_limit", 0, 0, 10'000'000));
  d.normalize = m.boolean("normalize", true);
  m.finish();
  return d;
}

namespace {

// model: {checkpoint: PATH} or {onnx: PATH}: the file is read now, so an unreadable one or a
// model that does not fit the dataset is reported before anything runs.
ModelFile parse_model_file(YamlMap& m, const std::string& kind) {
  const std::string path = m.text(kind, std::nullopt);
  if (m.has("init")) m.fail("init", "a model read from a file keeps its weights: remove 'init'");
  try {
    return read_model_file(path, kind);
  } catch (const std::exception& e) {
    m.fail(kind, std::string("cannot use the model: ") + e.what());
  }
}

}  // namespace

ModelConfig parse_model(YamlMap m) {
  ModelConfig model;
  const int sources =
      int(m.has("zoo")) + int(m.has("layers")) + int(m.has("checkpoint")) + int(m.has("onnx"));
  if (sources != 1)
    m.fail("zoo", "give exactly one of 'zoo' (a model name), 'layers' (a list), 'checkpoint' or "
                  "'onnx' (a trained model's file)");
  for (const char* kind : {"checkpoint", "onnx"}) {
    if (!m.has(kind)) continue;
    model.file = parse_model_file(m, kind);
    model.layers = model.file->description.layers;
    m.finish();
    return model;
  }
  const std::string init = m.text(
      "init", std::string("kaiming_uniform"),
      {"kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal", "torch_default"});
  model.init = parse_init(init);
  if (m.has("zoo")) {
    model.zoo = m.text("zoo", std::nullopt, zoo_model_names());
    model.layers = find_zoo_model(model.zoo)->layers;
  } else {
    model.layers = parse_layer_list(m.node("layers"), m.file(), m.path() + ".layers");
  }
  m.finish();
  return model;
}

TrainSettings parse_train(YamlMap m, const TrainSettings& defaults, long min_epochs) {
  TrainSettings t = defaults;
  // At least 1 unless the model comes trained: every other run trains (the dense run, the
  // shared pretraining, or the training after pruning at initialisation), and 0 epochs would
  // report an untrained model.
  t.epochs = static_cast<int>(m.integer("epochs", t.epochs, min_epochs, 100000));
  t.batch_size = static_cast<std::size_t>(
      m.integer("batch_size", static_cast<long>(t.batch_size), 1, 1 << 20));
  t.eval_batch_size = static_cast<std::size_t>(
      m.integer("eval_batch_size", static_cast<long>(t.eval_batch_size), 1, 1 << 20));
  t.optimizer =
      parse_optimizer_kind(m.text("optimizer", optimizer_name(t.optimizer), {"sgd", "adam"}));
  t.lr = static_cast<float>(m.number("lr", t.lr, 0.0, 100.0));
  if (m.has("lr") && t.lr <= 0.0f) m.fail("lr", "must be positive");
  const float wd = static_cast<float>(m.number("weight_decay", t.sgd.weight_decay, 0.0, 1.0));
  t.sgd.weight_decay = t.adam.weight_decay = wd;
  if (t.optimizer == OptimizerKind::sgd) {
    t.sgd.momentum = static_cast<float>(m.number("momentum", t.sgd.momentum, 0.0, 0.9999));
    t.sgd.nesterov = m.boolean("nesterov", t.sgd.nesterov);
    if (t.sgd.nesterov && t.sgd.momentum == 0.0f) m.fail("nesterov", "needs a momentum > 0");
  } else {
    t.adam.beta1 = static_cast<float>(m.number("beta1", t.adam.beta1, 0.0, 0.9999));
    t.adam.beta2 = static_cast<float>(m.number("beta2", t.adam.beta2, 0.0, 0.99999));
    t.adam.eps = static_cast<float>(m.number("eps", t.adam.eps, 1e-12, 1.0));
    t.adam.decoupled = m.boolean("decoupled_weight_decay", t.adam.decoupled);
  }
  if (m.has("lr_schedule")) {
    YamlMap s = m.map("lr_schedule");
    t.schedule.kind =
        parse_lr_schedule_kind(s.text("kind", std::nullopt, {"constant", "step", "cosine"}));
    if (t.schedule.kind == LrSchedule::Kind::step) {
      t.schedule.step_size = static_cast<int>(s.integer("step_size", std::nullopt, 1, 100000));
      t.schedule.gamma = static_cast<float>(s.number("gamma", 0.1, 0.0, 1.0));
    } else if (t.schedule.kind == LrSchedule::Kind::cosine) {
      t.schedule.min_lr = static_cast<float>(s.number("min_lr", 0.0, 0.0, 100.0));
    }
    s.finish();
  }
  t.schedule.total_epochs = t.epochs;
  const std::string path = m.text("sparse_training", sparse_training_name(t.sparse_training),
                                  {"measured", "off", "forced"});
  t.sparse_training = parse_sparse_training(path);
  const bool augment = m.has("augment");
  if (augment) {
    YamlMap a = m.map("augment");
    t.augmentation.crop_padding = static_cast<int>(a.integer("crop_padding", 0, 0, 64));
    t.augmentation.horizontal_flip = a.boolean("horizontal_flip", false);
    a.finish();
  }
  t.select_on_val = m.boolean("select_on_val", t.select_on_val);
  m.finish();
  return t;
}

namespace {

// latency_batch_sizes: a non-empty list of distinct sizes 1..65536.
std::vector<std::size_t> parse_batch_sizes(YamlMap& m) {
  if (!m.has("latency_batch_sizes")) return {1, 64};
  const YAML::Node list = m.node("latency_batch_sizes");
  const std::string key = "latency_batch_sizes";
  if (!list.IsSequence() || list.size() == 0)
    m.fail(key, "expected a list of batch sizes, e.g. [1, 64]");
  std::vector<std::size_t> sizes;
  for (const YAML::Node& item : list) {
    long b = 0;
    try {
      b = item.as<long>();
    } catch (const YAML::Exception&) {
      b = 0;
    }
    if (b < 1 || b > 65536) m.fail(key, "batch sizes must be integers from 1 to 65536");
    if (std::find(sizes.begin(), sizes.end(), std::size_t(b)) != sizes.end())
      m.fail(key, "batch size " + std::to_string(b) + " appears twice");
    sizes.push_back(static_cast<std::size_t>(b));
  }
  return sizes;
}

}  // namespace

std::optional<InferenceMeasureSettings> parse_measure(YamlMap m) {
  std::optional<InferenceMeasureSettings> latency;
  if (m.boolean("latency", false)) {
    latency = InferenceMeasureSettings{};
    latency->batch_sizes = parse_batch_sizes(m);
    LatencyProtocol& p = latency->protocol;
    p.min_seconds = m.number("latency_seconds", p.min_seconds, 0.0, 600.0);
    p.warmup_seconds = m.number("latency_warmup_seconds", p.warmup_seconds, 0.0, 600.0);
    p.min_calls = static_cast<std::size_t>(m.integer("latency_min_calls", 200, 1, 1000000));
  }
  m.finish();
  return latency;
}

namespace {

// A quantized form of prune.budget.forms (int8, kmeans) is the run's quantize scheme stored
// per weight: it needs a `quantize:` section of that kind, and only a bytes budget counts it.
void check_budget_quant_forms(const ExperimentConfig& c, const YAML::Node& root,
                              const std::string& file) {
  if (!c.prune || !c.prune->budget || c.prune->budget->quant_forms.empty()) return;
  const YAML::Node forms = root["prune"]["budget"]["forms"];
  for (std::size_t i = 0; i < forms.size(); ++i) {
    const std::string name = forms[i].Scalar();
    const std::vector<std::string>& q = c.prune->budget->quant_forms;
    if (std::find(q.begin(), q.end(), name) == q.end()) continue;
    std::string problem;
    if (c.prune->budget->kind != BudgetKind::bytes)
      problem = "a quantized form counts only for a bytes budget";
    else if (!c.quantize || c.quantize->kind != name)
      problem = "needs a 'quantize:' section of kind " + name + " (its settings quantize)";
    if (!problem.empty())
      throw ConfigError(fmt::format("{}: 'prune.budget.forms[{}]': form '{}': {}",
                                    yaml_where(file, forms[i]), i, name, problem));
  }
}

}  // namespace

ExperimentConfig parse_experiment_config(const YAML::Node& root, const std::string& file) {
  if (!root || root.IsNull()) throw ConfigError(file + ": the file is empty");
  YamlMap m(root, file, "");
  ExperimentConfig c;
  c.file = file;
  c.name = m.text("name", file_stem(file));
  if (c.name.empty() || c.name.find_first_of("/\\ ") != std::string::npos || c.name[0] == '.')
    m.fail("name", "must be a plain folder name (no slashes, spaces or leading dot)");
  if (!is_utf8(c.name)) m.fail("name", "must be UTF-8 text (it names the results folder)");
  c.seed = static_cast<std::uint64_t>(m.integer("seed", 0, 0, 1L << 62));
  c.threads = static_cast<int>(m.integer("threads", 1, 1, 256));
  c.dataset = m.has("dataset") ? parse_dataset(m.map("dataset")) : DatasetConfig{};
  c.model = parse_model(m.map("model"));
  c.train = trained_model_train(m, c.model);
  if (m.has("prune")) c.prune = parse_prune(m.map("prune"), c.seed);
  if (m.has("quantize")) c.quantize = parse_quantize(m.map("quantize"));
  if (m.has("measure")) c.latency = parse_measure(m.map("measure"));
  m.finish();
  check_budget_quant_forms(c, root, file);
  check_model_file(c, m);
  check_model_shapes(c, m);
  return c;
}

}  // namespace poda
