#include "experiment/runner/quantized_checkpoint.h"

#include <cmath>

namespace poda {

namespace {

std::string kind_key(const std::string& name) {
  return "quant." + name + ".kind";
}
std::string bits_key(const std::string& name) {
  return "quant." + name + ".bits";
}

Array array_of(const Shape& shape, const std::vector<float>& values) {
  Array a = empty_array(shape);
  std::copy(values.begin(), values.end(), a.data());
  return a;
}

[[noreturn]] void fail(const std::string& source, const std::string& entry,
                       const std::string& what) {
  throw CheckpointError("checkpoint '" + source + "': " + entry + ": " + what);
}

const CheckpointEntry& need_entry(const Checkpoint& c, const std::string& entry,
                                  const std::string& source) {
  const CheckpointEntry* e = find_entry(c, entry);
  if (!e) fail(source, entry, "missing entry");
  return *e;
}

// v must be an integer in [lo, hi]; returns it.
int integral_in(float v, int lo, int hi, const std::string& source, const std::string& entry) {
  if (!(v >= static_cast<float>(lo) && v <= static_cast<float>(hi)) || std::nearbyint(v) != v)
    fail(source, entry,
         "value " + std::to_string(v) + " is not an integer in [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]");
  return static_cast<int>(v);
}

void need_kind(const Checkpoint& c, const std::string& name, const std::string& kind,
               const std::string& source) {
  if (quantized_kind(c, name) != kind)
    fail(source, name,
         "metadata " + kind_key(name) + " is '" + quantized_kind(c, name) + "', expected '" + kind +
             "'");
}

int metadata_bits(const Checkpoint& c, const std::string& name, const std::string& source) {
  const auto it = c.metadata.find(bits_key(name));
  if (it == c.metadata.end()) fail(source, bits_key(name), "missing metadata");
  if (it->second.size() != 1 || it->second[0] < '1' || it->second[0] > '8')
    fail(source, bits_key(name), "'" + it->second + "' is not a bit width from 1 to 8");
  return it->second[0] - '0';
}

}  // namespace

std::string quantized_kind(const Checkpoint& checkpoint, const std::string& name) {
  const auto it = checkpoint.metadata.find(kind_key(name));
  return it == checkpoint.metadata.end() ? "" : it->second;
}

void add_int8_weights(Checkpoint& checkpoint, const std::string& name, const Int8Weights& weights) {
  std::vector<float> levels(weights.q.begin(), weights.q.end());
  checkpoint.entries.push_back({name + ".int8", array_of(weights.shape, levels), std::nullopt});
  checkpoint.entries.push_back(
      {name + ".scale", array_of({weights.grid.channels()}, weights.grid.scale), std::nullopt});
  checkpoint.metadata[kind_key(name)] = "int8";
}

Int8Weights read_int8_weights(const Checkpoint& checkpoint, const std::string& name,
                              const std::string& source) {
  need_kind(checkpoint, name, "int8", source);
  const CheckpointEntry& levels = need_entry(checkpoint, name + ".int8", source);
  const CheckpointEntry& scale = need_entry(checkpoint, name + ".scale", source);
  Int8Weights w;
  w.shape = to_shape(levels.value.shape());
  if (w.shape.empty() || scale.value.dimension() != 1 || scale.value.size() != w.shape[0])
    fail(source, name + ".scale",
         "shape " + shape_str(to_shape(scale.value.shape())) + " does not match the weight " +
             shape_str(w.shape));
  for (float v : levels.value)
    w.q.push_back(static_cast<std::int8_t>(
        integral_in(v, -kWeightQmax, kWeightQmax, source, name + ".int8")));
  w.grid.qmin = -kWeightQmax;
  w.grid.qmax = kWeightQmax;
  for (float s : scale.value) {
    if (!(s > 0.0f) || !std::isfinite(s))
      fail(source, name + ".scale", "scale " + std::to_string(s) + " is not positive");
    w.grid.scale.push_back(s);
  }
  w.grid.zero_point.assign(w.grid.scale.size(), 0);
  return w;
}

void add_shared_weights(Checkpoint& checkpoint, const std::string& name,
                        const SharedWeights& shared, const Shape& shape) {
  std::vector<float> index(shared.size()), mask(shared.size());
  for (std::size_t i = 0; i < shared.size(); ++i) {
    const bool pruned = shared.assignment[i] == kPrunedWeight;
    index[i] = pruned ? 0.0f : static_cast<float>(shared.assignment[i]);
    mask[i] = pruned ? 0.0f : 1.0f;
  }
  checkpoint.entries.push_back(
      {name + ".codebook", array_of({shared.centroids.size()}, shared.centroids), std::nullopt});
  checkpoint.entries.push_back(
      {name + ".codebook_index", array_of(shape, index), array_of(shape, mask)});
  checkpoint.metadata[kind_key(name)] = "kmeans";
  checkpoint.metadata[bits_key(name)] = std::to_string(shared.bits);
}

SharedWeights read_shared_weights(const Checkpoint& checkpoint, const std::string& name,
                                  const std::string& source, Shape& shape) {
  need_kind(checkpoint, name, "kmeans", source);
  const CheckpointEntry& codebook = need_entry(checkpoint, name + ".codebook", source);
  const CheckpointEntry& index = need_entry(checkpoint, name + ".codebook_index", source);
  SharedWeights s;
  s.bits = metadata_bits(checkpoint, name, source);
  if (codebook.value.dimension() != 1 || codebook.value.size() != (std::size_t{1} << s.bits))
    fail(source, name + ".codebook",
         "holds " + std::to_string(codebook.value.size()) + " centroids, expected 2^" +
             std::to_string(s.bits));
  s.centroids.assign(codebook.value.begin(), codebook.value.end());
  if (!index.mask) fail(source, name + ".codebook_index", "has no pruning mask");
  shape = to_shape(index.value.shape());
  const int last = static_cast<int>(s.centroids.size()) - 1;
  for (std::size_t i = 0; i < index.value.size(); ++i) {
    const int keep =
        integral_in(index.mask->data()[i], 0, 1, source, name + ".codebook_index mask");
    const int k = integral_in(index.value.data()[i], 0, last, source, name + ".codebook_index");
    s.assignment.push_back(keep ? k : kPrunedWeight);
  }
  return s;
}

bool is_quantization_entry(const Checkpoint& checkpoint, const std::string& entry) {
  for (const char* suffix : {".int8", ".scale", ".codebook", ".codebook_index"}) {
    const std::string sfx = suffix;
    if (entry.size() > sfx.size() &&
        entry.compare(entry.size() - sfx.size(), sfx.size(), sfx) == 0 &&
        !quantized_kind(checkpoint, entry.substr(0, entry.size() - sfx.size())).empty())
      return true;
  }
  return false;
}

}  // namespace poda
