#include "experiment/quant_schemes/quant_checkpoint.h"

#include <cmath>

#include "experiment/quant_schemes/quant_scheme.h"

namespace poda {

std::string quant_metadata_key(const std::string& param, const std::string& what) {
  return "quant." + param + "." + what;
}

std::string quantized_kind(const Checkpoint& checkpoint, const std::string& param) {
  const auto it = checkpoint.metadata.find(quant_metadata_key(param, "kind"));
  return it == checkpoint.metadata.end() ? "" : it->second;
}

std::string checkpoint_scheme(const Checkpoint& checkpoint, const std::string& source) {
  std::string scheme;
  for (const CheckpointEntry& e : checkpoint.entries) {
    const std::string kind = quantized_kind(checkpoint, e.name);
    if (kind.empty() || kind == scheme) continue;
    if (!scheme.empty())
      quant_entry_error(source, e.name,
                        "quantized by '" + kind + "', another parameter by '" + scheme + "'");
    scheme = kind;
  }
  return scheme;
}

bool is_quantization_entry(const Checkpoint& checkpoint, const std::string& entry) {
  for (const std::string& scheme : quant_scheme_names())
    for (const std::string& sfx : find_quant_scheme(scheme)->entry_suffixes)
      if (entry.size() > sfx.size() &&
          entry.compare(entry.size() - sfx.size(), sfx.size(), sfx) == 0 &&
          quantized_kind(checkpoint, entry.substr(0, entry.size() - sfx.size())) == scheme)
        return true;
  return false;
}

Array quant_array(const Shape& shape, const std::vector<float>& values) {
  Array a = empty_array(shape);
  std::copy(values.begin(), values.end(), a.data());
  return a;
}

void quant_entry_error(const std::string& source, const std::string& entry,
                       const std::string& what) {
  throw CheckpointError("checkpoint '" + source + "': " + entry + ": " + what);
}

const CheckpointEntry& need_quant_entry(const Checkpoint& c, const std::string& entry,
                                        const std::string& source) {
  const CheckpointEntry* e = find_entry(c, entry);
  if (!e) quant_entry_error(source, entry, "missing entry");
  return *e;
}

int quant_integral_in(float v, int lo, int hi, const std::string& source,
                      const std::string& entry) {
  if (!(v >= static_cast<float>(lo) && v <= static_cast<float>(hi)) || std::nearbyint(v) != v)
    quant_entry_error(source, entry,
                      "value " + std::to_string(v) + " is not an integer in [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

void need_quant_kind(const Checkpoint& c, const std::string& param, const std::string& kind,
                     const std::string& source) {
  const std::string found = quantized_kind(c, param);
  if (found != kind)
    quant_entry_error(source, param,
                      "metadata " + quant_metadata_key(param, "kind") + " is '" + found +
                          "', expected '" + kind + "'");
}

}  // namespace poda
