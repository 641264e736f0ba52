#include "quantize/kmeans_model.h"

#include "quantize/weight_layers.h"

namespace poda {

namespace {

const float* mask_or_null(const Parameter& p) {
  return p.has_mask() ? p.mask.data().data() : nullptr;
}

}  // namespace

std::vector<SharedLayer> share_model_weights(Module& model, const WeightSharingSettings& settings) {
  std::vector<SharedLayer> layers;
  for_each_weight_layer(model, [&](const std::string& name, Parameter& w, std::size_t) {
    const int bits = settings.bits_for_rank(w.value.shape().size());
    SharedLayer l{name + ".weight", &w,
                  share_weights(w.value.data().data(), mask_or_null(w), w.value.size(), bits,
                                settings.max_iterations)};
    materialize_shared(l.shared, w.value.data().data());
    layers.push_back(std::move(l));
  });
  return layers;
}

void step_centroids(std::vector<SharedLayer>& layers, float lr) {
  for (SharedLayer& l : layers) {
    if (!l.weight->value.has_grad()) continue;
    centroid_step(l.shared, l.weight->value.grad().data(), lr);
    materialize_shared(l.shared, l.weight->value.data().data());
  }
}

void sync_centroids_from_weights(std::vector<SharedLayer>& layers) {
  for (SharedLayer& l : layers) {
    const float* w = l.weight->value.data().data();
    for (std::size_t i = 0; i < l.shared.size(); ++i)
      if (l.shared.assignment[i] != kPrunedWeight)
        l.shared.centroids[l.shared.assignment[i]] = w[i];
    materialize_shared(l.shared, l.weight->value.data().data());
  }
}

std::vector<LayerCodes> kmeans_model_codes(Module& model, const std::vector<SharedLayer>& layers,
                                           int conv_index_bits, int dense_index_bits) {
  std::vector<LayerCodes> codes;
  for_each_weight_layer(model, [&](const std::string& name, Parameter& w, std::size_t others) {
    for (const SharedLayer& l : layers)
      if (l.weight == &w) {
        const int index_bits = w.value.shape().size() == 4 ? conv_index_bits : dense_index_bits;
        codes.push_back(kmeans_layer_codes(name, l.shared, index_bits, others));
      }
  });
  return codes;
}

}  // namespace poda
