// A plug-in that registers one quantization scheme: every weight-layer weight becomes
// sign(w) x the mean |w| of its survivors (one bit a weight), saved as "<weight>.sign" levels
// (-1, 0, 1) and "<weight>.sign_scale", and rebuilt from them.
#include <cmath>

#include "experiment/quant_schemes/quant_checkpoint.h"
#include "experiment/quant_schemes/quant_scheme.h"
#include "quantize/weight_layers.h"

namespace {

using namespace poda;

struct SignWeight {
  std::string layer;
  Parameter* weight = nullptr;
  std::vector<float> signs;
  float scale = 0.0f;
  std::size_t others = 0;
};

class SignQuantized : public QuantizedModel {
 public:
  explicit SignQuantized(Sequential& model) : model_(model) {
    for_each_weight_layer(model, [&](const std::string& name, Parameter& w, std::size_t others) {
      Array masked = w.value.data();
      w.mask_buffer(masked);
      SignWeight s{name, &w, {}, 0.0f, others};
      std::size_t alive = 0;
      for (float v : masked) {
        s.signs.push_back(v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : 0.0f);
        s.scale += std::abs(v);
        alive += v != 0.0f;
      }
      s.scale = alive ? s.scale / static_cast<float>(alive) : 0.0f;
      for (std::size_t i = 0; i < s.signs.size(); ++i)
        w.value.data().data()[i] = s.signs[i] * s.scale;
      weights_.push_back(std::move(s));
    });
  }
  std::shared_ptr<Sequential> evaluated() const override { return unowned(model_); }
  std::vector<LayerCodes> codes(int conv_index_bits, int dense_index_bits) const override {
    std::vector<LayerCodes> out;
    for (const SignWeight& s : weights_) {
      const bool conv = s.weight->value.shape().size() == 4;
      LayerCodes c{s.layer, {}, 2, 1, conv ? conv_index_bits : dense_index_bits, 4, s.others};
      for (float v : s.signs) c.codes.push_back(v == 0.0f ? kPrunedWeight : v > 0.0f);
      out.push_back(std::move(c));
    }
    return out;
  }
  void save(Checkpoint& c) const override {
    for (const SignWeight& s : weights_) {
      const std::string name = s.layer + ".weight";
      c.entries.push_back({name + ".sign", quant_array(s.weight->value.shape(), s.signs), {}});
      c.entries.push_back({name + ".sign_scale", quant_array({1}, {s.scale}), {}});
      c.metadata[quant_metadata_key(name, "kind")] = "test_plugin_sign";
    }
  }

 private:
  Sequential& model_;
  std::vector<SignWeight> weights_;
};

std::shared_ptr<Sequential> load(Sequential& model, const Checkpoint& c,
                                 const std::string& source) {
  for (auto& [name, p] : model.named_parameters()) {
    if (quantized_kind(c, name) != "test_plugin_sign") continue;
    const CheckpointEntry& signs = need_quant_entry(c, name + ".sign", source);
    const float scale = need_quant_entry(c, name + ".sign_scale", source).value.data()[0];
    if (signs.value.size() != p->value.size()) quant_entry_error(source, name, "size differs");
    for (std::size_t i = 0; i < signs.value.size(); ++i)
      p->value.data().data()[i] =
          static_cast<float>(quant_integral_in(signs.value.data()[i], -1, 1, source, name)) * scale;
  }
  return unowned(model);
}

class Sign : public QuantScheme {
 public:
  std::vector<std::pair<std::string, std::string>> setting_cells() const override {
    return {{"bits", "1"}};
  }
  std::unique_ptr<QuantizedModel> quantize(Sequential& model, QuantizeRun&) const override {
    return std::make_unique<SignQuantized>(model);
  }
};

const QuantSchemeRegistrar reg("test_plugin_sign", {[](YamlMap&) -> std::unique_ptr<QuantScheme> {
                                                      return std::make_unique<Sign>();
                                                    },
                                                    {".sign", ".sign_scale"},
                                                    load,
                                                    "sign x mean |w| per weight, one bit (test)"});

}  // namespace
