#include "experiment/quant_schemes/kmeans/kmeans_quantized.h"

#include "experiment/quant_schemes/quant_checkpoint.h"

namespace poda {

namespace {

class KmeansQuantized : public QuantizedModel {
 public:
  KmeansQuantized(Sequential& model, std::vector<SharedLayer> layers)
      : model_(model), layers_(std::move(layers)) {}
  std::shared_ptr<Sequential> evaluated() const override { return unowned(model_); }
  std::vector<LayerCodes> codes(int conv_index_bits, int dense_index_bits) const override {
    return kmeans_model_codes(model_, layers_, conv_index_bits, dense_index_bits);
  }
  void save(Checkpoint& checkpoint) const override {
    for (const SharedLayer& l : layers_)
      add_shared_weights(checkpoint, l.name, l.shared, l.weight->value.shape());
  }

 private:
  Sequential& model_;
  std::vector<SharedLayer> layers_;
};

int metadata_bits(const Checkpoint& c, const std::string& name, const std::string& source) {
  const std::string key = quant_metadata_key(name, "bits");
  const auto it = c.metadata.find(key);
  if (it == c.metadata.end()) quant_entry_error(source, key, "missing metadata");
  if (it->second.size() != 1 || it->second[0] < '1' || it->second[0] > '8')
    quant_entry_error(source, key, "'" + it->second + "' is not a bit width from 1 to 8");
  return it->second[0] - '0';
}

}  // namespace

std::unique_ptr<QuantizedModel> kmeans_quantized(Sequential& model,
                                                 std::vector<SharedLayer> layers) {
  return std::make_unique<KmeansQuantized>(model, std::move(layers));
}

std::shared_ptr<Sequential> load_kmeans(Sequential& model, const Checkpoint& checkpoint,
                                        const std::string& source) {
  for (auto& [name, p] : model.named_parameters()) {
    if (quantized_kind(checkpoint, name) == "kmeans") {
      Shape shape;
      const SharedWeights shared = read_shared_weights(checkpoint, name, source, shape);
      if (shape != p->value.shape())
        throw CheckpointError(source + ": '" + name + "' codebook index has shape " +
                              shape_str(shape) + ", the model expects " +
                              shape_str(p->value.shape()));
      materialize_shared(shared, p->value.data().data());
    }
    p->apply_mask();
  }
  return unowned(model);
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
      {name + ".codebook", quant_array({shared.centroids.size()}, shared.centroids), std::nullopt});
  checkpoint.entries.push_back(
      {name + ".codebook_index", quant_array(shape, index), quant_array(shape, mask)});
  checkpoint.metadata[quant_metadata_key(name, "kind")] = "kmeans";
  checkpoint.metadata[quant_metadata_key(name, "bits")] = std::to_string(shared.bits);
}

SharedWeights read_shared_weights(const Checkpoint& checkpoint, const std::string& name,
                                  const std::string& source, Shape& shape) {
  need_quant_kind(checkpoint, name, "kmeans", source);
  const CheckpointEntry& codebook = need_quant_entry(checkpoint, name + ".codebook", source);
  const CheckpointEntry& index = need_quant_entry(checkpoint, name + ".codebook_index", source);
  SharedWeights s;
  s.bits = metadata_bits(checkpoint, name, source);
  if (codebook.value.dimension() != 1 || codebook.value.size() != (std::size_t{1} << s.bits))
    quant_entry_error(source, name + ".codebook",
                      "holds " + std::to_string(codebook.value.size()) + " centroids, expected 2^" +
                          std::to_string(s.bits));
  s.centroids.assign(codebook.value.begin(), codebook.value.end());
  if (!index.mask) quant_entry_error(source, name + ".codebook_index", "has no pruning mask");
  shape = to_shape(index.value.shape());
  const int last = static_cast<int>(s.centroids.size()) - 1;
  for (std::size_t i = 0; i < index.value.size(); ++i) {
    const int keep =
        quant_integral_in(index.mask->data()[i], 0, 1, source, name + ".codebook_index mask");
    const int k =
        quant_integral_in(index.value.data()[i], 0, last, source, name + ".codebook_index");
    s.assignment.push_back(keep ? k : kPrunedWeight);
  }
  return s;
}

}  // namespace poda
