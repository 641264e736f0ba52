// kmeans: Deep Compression's weight sharing (Han, Mao & Dally 2016): every weight-layer weight
// clustered on its own codebook of 2^bits centroids, then the centroids fine-tuned by the
// summed gradients of their members (masks and sharing kept). Keys:
//   bits: 5 (the default of both), conv_bits, dense_bits (1..8), kmeans_iterations: 50
#include <fmt/format.h>

#include "experiment/quant_schemes/kmeans/kmeans_quantized.h"

namespace poda {
namespace {

class Kmeans : public QuantScheme {
 public:
  explicit Kmeans(YamlMap& m) : bits_(static_cast<int>(m.integer("bits", 5, -1000, 1000))) {
    sharing_.conv_bits = static_cast<int>(m.integer("conv_bits", bits_, -1000, 1000));
    sharing_.dense_bits = static_cast<int>(m.integer("dense_bits", bits_, -1000, 1000));
    sharing_.max_iterations =
        static_cast<int>(m.integer("kmeans_iterations", sharing_.max_iterations, -1000, 100000000));
  }

  std::vector<FieldError> validate(const QuantizeSettings&) const override {
    FieldChecks check;
    check("bits", in_range(bits_, 1, 8));
    check("conv_bits", in_range(sharing_.conv_bits, 1, 8));
    check("dense_bits", in_range(sharing_.dense_bits, 1, 8));
    check("kmeans_iterations", in_range(sharing_.max_iterations, 1, 100000));
    return check.errors;
  }

  std::vector<std::pair<std::string, std::string>> setting_cells() const override {
    const int conv = sharing_.conv_bits, dense = sharing_.dense_bits;
    return {{"bits", conv == dense ? std::to_string(dense) : fmt::format("{}/{}", conv, dense)}};
  }

  // Shares the weights, then moves only the centroids by their summed gradients.
  std::unique_ptr<QuantizedModel> quantize(Sequential& model, QuantizeRun& run) const override {
    std::vector<SharedLayer> shared = share_model_weights(model, sharing_);
    const float lr = run.finetune_lr();
    run.finetune(model, "quantize_kmeans",
                 [&shared, lr](std::size_t) { step_centroids(shared, lr); });
    sync_centroids_from_weights(shared);
    return kmeans_quantized(model, std::move(shared));
  }

 private:
  int bits_;
  WeightSharingSettings sharing_;
};

const char* const kHelp =
    "Deep Compression weight sharing, centroids fine-tuned: [bits: 5], [conv_bits], "
    "[dense_bits] (1..8), [kmeans_iterations: 50]";

const QuantSchemeRegistrar kmeans_scheme_registrar("kmeans",
                                                   {[](YamlMap& m) -> std::unique_ptr<QuantScheme> {
                                                      return std::make_unique<Kmeans>(m);
                                                    },
                                                    {".codebook", ".codebook_index"},
                                                    load_kmeans,
                                                    kHelp});

}  // namespace
}  // namespace poda
