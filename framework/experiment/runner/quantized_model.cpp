#include "experiment/runner/quantized_model.h"

#include <fmt/format.h>

#include "experiment/runner/model_checkpoint.h"
#include "experiment/runner/quantized_checkpoint.h"
#include "quantize/int8_weights.h"

namespace poda {

namespace {

std::string grid_key(const std::string& layer, const char* what) {
  return "quant." + layer + "." + what;
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

Checkpoint quantized_model_to_checkpoint(Sequential& model, const QuantizedModel& quantized) {
  std::vector<std::pair<std::string, Int8Weights>> int8;
  if (!quantized.input_grids.empty()) int8 = materialize_int8_weights(model);
  Checkpoint c = model_to_checkpoint(model);
  for (auto& [name, q] : int8) add_int8_weights(c, name, q);
  if (!quantized.input_grids.empty()) {
    for (const LayerInputGrid& g : quantized.input_grids) {
      c.metadata[grid_key(g.layer, "input_scale")] = fmt::format("{:.9g}", g.grid.scale[0]);
      c.metadata[grid_key(g.layer, "input_zero_point")] = std::to_string(g.grid.zero_point[0]);
    }
  }
  for (const SharedLayer& l : quantized.shared)
    add_shared_weights(c, l.name, l.shared, l.weight->value.shape());
  return c;
}

std::shared_ptr<Sequential> load_quantized_model(Sequential& model, const Checkpoint& checkpoint,
                                                 const std::string& source) {
  load_model_checkpoint(model, checkpoint, source);
  for (auto& [name, p] : model.named_parameters()) {
    const std::string kind = quantized_kind(checkpoint, name);
    if (kind == "int8") {
      p->value.data() = dequantize(read_int8_weights(checkpoint, name, source));
    } else if (kind == "kmeans") {
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
  const std::vector<LayerInputGrid> grids = read_input_grids(model, checkpoint, source);
  if (!grids.empty()) return with_input_fake_quant(model, grids);
  return std::shared_ptr<Sequential>(std::shared_ptr<Sequential>{}, &model);
}

}  // namespace poda
