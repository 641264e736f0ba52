#include "experiment/quant_schemes/int8/int8_quantized.h"

#include <cmath>

#include <fmt/format.h>

#include "experiment/quant_schemes/quant_checkpoint.h"
#include "quantize/weight_layers.h"

namespace poda {

namespace {

std::string grid_key(const std::string& layer, const char* what) {
  return "quant." + layer + "." + what;
}

void add_input_grids(Checkpoint& c, const std::vector<LayerInputGrid>& grids) {
  for (const LayerInputGrid& g : grids) {
    c.metadata[grid_key(g.layer, "input_scale")] = fmt::format("{:.9g}", g.grid.scale[0]);
    c.metadata[grid_key(g.layer, "input_zero_point")] = std::to_string(g.grid.zero_point[0]);
  }
}

std::vector<LayerInputGrid> read_input_grids(Sequential& model, const Checkpoint& c,
                                             const std::string& source) {
  std::vector<LayerInputGrid> grids;
  for (const auto& [name, child] : model.children()) {
    const auto scale = c.metadata.find(grid_key(name, "input_scale"));
    const auto zero = c.metadata.find(grid_key(name, "input_zero_point"));
    if (scale == c.metadata.end() || zero == c.metadata.end()) continue;
    QuantGrid g;
    try {
      g.scale = {std::stof(scale->second)};
      g.zero_point = {std::stoi(zero->second)};
    } catch (const std::exception&) {
      throw CheckpointError(source + ": input grid of '" + name + "' is not a number");
    }
    if (!(g.scale[0] > 0.0f) || g.zero_point[0] < 0 || g.zero_point[0] > kActivationQmax)
      throw CheckpointError(source + ": input grid of '" + name + "' is out of range");
    g.qmin = 0;
    g.qmax = kActivationQmax;
    grids.push_back({name, g});
  }
  return grids;
}

class Int8Quantized : public QuantizedModel {
 public:
  Int8Quantized(Sequential& model, std::vector<LayerInputGrid> grids)
      : model_(model),
        grids_(std::move(grids)),
        weights_(materialize_int8_weights(model)),
        evaluated_(with_input_fake_quant(model, grids_)) {}
  std::shared_ptr<Sequential> evaluated() const override { return evaluated_; }
  std::vector<LayerCodes> codes(int conv_index_bits, int dense_index_bits) const override {
    return int8_model_codes(model_, conv_index_bits, dense_index_bits);
  }
  void save(Checkpoint& checkpoint) const override {
    for (const auto& [name, q] : weights_) add_int8_weights(checkpoint, name, q);
    add_input_grids(checkpoint, grids_);
  }
  // The int8 model on the inference engine's int8 kernels: latency_b<B>_us_int8.
  void measure_latency(const Shape& input_shape, const InferenceMeasureSettings& settings,
                       QuantizeRun& run) const override {
    Int8Inputs inputs;
    for (const LayerInputGrid& g : grids_) inputs[g.layer] = g.grid;
    const InferenceMeasurement m = measure_int8_inference(
        model_, input_shape, settings, inputs, [&run](const std::string& l) { run.status(l); });
    run.status("");
    for (const NamedValue& v : m.values) run.record(v.name, v.value);
    run.log_kernels("int8", m.layer_log);
  }

 private:
  Sequential& model_;
  std::vector<LayerInputGrid> grids_;
  std::vector<std::pair<std::string, Int8Weights>> weights_;
  std::shared_ptr<Sequential> evaluated_;
};

}  // namespace

std::vector<std::pair<std::string, Int8Weights>> materialize_int8_weights(Module& model) {
  std::vector<std::pair<std::string, Int8Weights>> out;
  for (const auto& [name, m] : model.named_modules()) {
    if (m->channel_flow() != Module::ChannelFlow::transforms) continue;
    for (auto& [pname, p] : m->named_parameters()) {
      if (pname != "weight") continue;
      Array masked = p->value.data();
      p->mask_buffer(masked);
      Int8Weights q = quantize_weights_int8(masked);
      p->value.data() = dequantize(q);
      out.emplace_back(name + ".weight", std::move(q));
    }
  }
  return out;
}

std::vector<LayerCodes> int8_model_codes(Module& model, int conv_index_bits, int dense_index_bits) {
  std::vector<LayerCodes> codes;
  for_each_weight_layer(model, [&](const std::string& name, Parameter& w, std::size_t others) {
    Array masked = w.value.data();
    w.mask_buffer(masked);
    const Int8Weights q = quantize_weights_int8(masked);
    const int index_bits = w.value.shape().size() == 4 ? conv_index_bits : dense_index_bits;
    codes.push_back(int8_layer_codes(name, q.q, q.shape[0], index_bits, others));
  });
  return codes;
}

std::unique_ptr<QuantizedModel> int8_quantized(Sequential& model,
                                               std::vector<LayerInputGrid> input_grids) {
  return std::make_unique<Int8Quantized>(model, std::move(input_grids));
}

std::shared_ptr<Sequential> load_int8(Sequential& model, const Checkpoint& checkpoint,
                                      const std::string& source) {
  for (auto& [name, p] : model.named_parameters()) {
    if (quantized_kind(checkpoint, name) == "int8")
      p->value.data() = dequantize(read_int8_weights(checkpoint, name, source));
    p->apply_mask();
  }
  const std::vector<LayerInputGrid> grids = read_input_grids(model, checkpoint, source);
  return grids.empty() ? unowned(model) : with_input_fake_quant(model, grids);
}

void add_int8_weights(Checkpoint& checkpoint, const std::string& name, const Int8Weights& weights) {
  std::vector<float> levels(weights.q.begin(), weights.q.end());
  checkpoint.entries.push_back({name + ".int8", quant_array(weights.shape, levels), std::nullopt});
  checkpoint.entries.push_back(
      {name + ".scale", quant_array({weights.grid.channels()}, weights.grid.scale), std::nullopt});
  checkpoint.metadata[quant_metadata_key(name, "kind")] = "int8";
}

Int8Weights read_int8_weights(const Checkpoint& checkpoint, const std::string& name,
                              const std::string& source) {
  need_quant_kind(checkpoint, name, "int8", source);
  const CheckpointEntry& levels = need_quant_entry(checkpoint, name + ".int8", source);
  const CheckpointEntry& scale = need_quant_entry(checkpoint, name + ".scale", source);
  Int8Weights w;
  w.shape = to_shape(levels.value.shape());
  if (w.shape.empty() || scale.value.dimension() != 1 || scale.value.size() != w.shape[0])
    quant_entry_error(source, name + ".scale",
                      "shape " + shape_str(to_shape(scale.value.shape())) +
                          " does not match the weight " + shape_str(w.shape));
  for (float v : levels.value)
    w.q.push_back(static_cast<std::int8_t>(
        quant_integral_in(v, -kWeightQmax, kWeightQmax, source, name + ".int8")));
  w.grid.qmin = -kWeightQmax;
  w.grid.qmax = kWeightQmax;
  for (float s : scale.value) {
    if (!(s > 0.0f) || !std::isfinite(s))
      quant_entry_error(source, name + ".scale", "scale " + std::to_string(s) + " is not positive");
    w.grid.scale.push_back(s);
  }
  w.grid.zero_point.assign(w.grid.scale.size(), 0);
  return w;
}

}  // namespace poda
