#include "experiment/config/model_file.h"

#include <cstdio>
#include <sstream>

#include "experiment/config/config.h"
#include "experiment/config/sweep.h"
#include "experiment/io/atomic_file.h"
#include "interop/onnx_import.h"

namespace poda {
namespace {

constexpr const char* kLayersKey = "model.layers";
constexpr const char* kInputKey = "input_shape";
constexpr const char* kMeanKey = "normalization_mean";
constexpr const char* kStdKey = "normalization_std";

const std::string& metadata(const Checkpoint& c, const char* key, const std::string& source) {
  auto it = c.metadata.find(key);
  if (it == c.metadata.end())
    throw CheckpointError(source + ": no metadata '" + key +
                          "': not a checkpoint of poda import or of a run");
  return it->second;
}

// "(1, 28, 28)" or "0.5, 0.25": numbers separated by commas, brackets ignored.
std::vector<double> numbers(const std::string& text, const char* key, const std::string& source) {
  std::string plain = text;
  for (char& ch : plain)
    if (ch == '(' || ch == ')' || ch == ',') ch = ' ';
  std::istringstream in(plain);
  std::vector<double> out;
  double v = 0;
  while (in >> v) out.push_back(v);
  if (!in.eof() || out.empty())
    throw CheckpointError(source + ": metadata '" + key + "' is not a list of numbers: '" + text +
                          "'");
  return out;
}

}  // namespace

std::string join_floats(const std::vector<float>& v) {
  std::string out;
  char buf[32];
  for (float x : v) {
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(x));
    out += (out.empty() ? "" : ", ") + std::string(buf);
  }
  return out;
}

void describe_model(Checkpoint& checkpoint, const ModelDescription& d) {
  checkpoint.metadata[kLayersKey] = layers_yaml(d.layers);
  checkpoint.metadata[kInputKey] = shape_str(d.input);
  checkpoint.metadata[kMeanKey] = join_floats(d.norm.mean);
  checkpoint.metadata[kStdKey] = join_floats(d.norm.std);
}

bool has_model_description(const Checkpoint& checkpoint) {
  return checkpoint.metadata.count(kLayersKey) > 0;
}

ModelDescription model_description(const Checkpoint& c, const std::string& source) {
  ModelDescription d;
  const std::string where = source + " (metadata '" + kLayersKey + "')";
  YAML::Node layers;
  try {
    layers = YAML::Load(metadata(c, kLayersKey, source));
  } catch (const YAML::Exception& e) {
    throw CheckpointError(where + ": " + e.what());
  }
  try {
    d.layers = parse_layer_list(layers, where, "layers");
  } catch (const ConfigError& e) {
    throw CheckpointError(e.what());
  }
  for (double v : numbers(metadata(c, kInputKey, source), kInputKey, source)) {
    if (v < 1 || v > (1 << 20) || v != static_cast<double>(static_cast<std::size_t>(v)))
      throw CheckpointError(source + ": metadata '" + kInputKey + "' is not a shape");
    d.input.push_back(static_cast<std::size_t>(v));
  }
  for (double v : numbers(metadata(c, kMeanKey, source), kMeanKey, source))
    d.norm.mean.push_back(static_cast<float>(v));
  for (double v : numbers(metadata(c, kStdKey, source), kStdKey, source))
    d.norm.std.push_back(static_cast<float>(v));
  if (d.norm.mean.size() != d.input[0] || d.norm.std.size() != d.input[0])
    throw CheckpointError(source + ": the normalisation has " +
                          std::to_string(d.norm.mean.size()) + " means and " +
                          std::to_string(d.norm.std.size()) + " deviations for " +
                          std::to_string(d.input[0]) + " channels");
  for (float s : d.norm.std)
    if (!(s > 0.0f)) throw CheckpointError(source + ": a normalisation std is not positive");
  return d;
}

ModelFile read_model_file(const std::string& path, const std::string& kind) {
  ModelFile f;
  f.path = path;
  f.kind = kind;
  const std::string bytes = read_file(path);
  f.content_hash = stable_hash_hex(bytes);
  if (kind == "onnx") {
    const ImportedModel imported = import_onnx(parse_onnx(bytes, path), path);
    f.description = {imported.layers, imported.input, imported.norm};
  } else {
    f.description = model_description(deserialize_checkpoint(bytes, path), path);
  }
  return f;
}

}  // namespace poda
