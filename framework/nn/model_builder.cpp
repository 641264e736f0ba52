#include "nn/model_builder.h"

#include <stdexcept>

namespace poda {

std::shared_ptr<Sequential> build_layers(const std::vector<LayerSpec>& layers,
                                         const Shape& input_shape, BuildContext& ctx,
                                         Shape& output_shape) {
  auto model = std::make_shared<Sequential>();
  Shape shape = input_shape;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& spec = layers[i];
    const std::string name = spec.name.empty() ? std::to_string(i) : spec.name;
    const std::string label = (spec.where.empty() ? "" : spec.where + ": ") + "layer " +
                              std::to_string(i) + " '" + name + "' (" + spec.type + ")";
    const LayerType* type = find_layer_type(spec.type);
    if (!type) throw ShapeError(label + ": unknown layer type");
    try {
      ModulePtr layer = type->build(spec, shape, ctx);
      shape = layer->output_shape(shape);
      model->add(name, std::move(layer));
    } catch (const std::invalid_argument& e) {
      throw ShapeError(label + ": " + e.what());
    }
  }
  output_shape = shape;
  return model;
}

std::shared_ptr<Sequential> build_model(const std::vector<LayerSpec>& layers,
                                        const Shape& input_shape, Init init, Rng& rng) {
  BuildContext ctx{rng, init};
  Shape out;
  return build_layers(layers, input_shape, ctx, out);
}

}  // namespace poda
