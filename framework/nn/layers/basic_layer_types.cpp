// Registers the layer types of the foundation: dense, activations, flatten.
#include "nn/layer_spec.h"
#include "nn/layers/activation.h"
#include "nn/layers/dense.h"

namespace poda {
namespace {

template <class M>
LayerType parameter_free(const std::string& help) {
  return {{}, [](const LayerSpec&, const Shape&, BuildContext&) { return std::make_shared<M>(); },
          help};
}

const LayerTypeRegistrar dense_type(
    "dense",
    {{{"in", KeyKind::count}, {"out", KeyKind::count}, {"bias", KeyKind::flag},
      {"init", KeyKind::text}},
     [](const LayerSpec& spec, const Shape& input, BuildContext& ctx) -> ModulePtr {
       // `in` is optional: when given, it must match the incoming shape (checked by Dense).
       const std::size_t in = spec.count_or("in", input.size() == 1 ? input[0] : numel(input));
       const Init init = spec.strings.count("init") ? parse_init(spec.strings.at("init"))
                                                    : ctx.init;
       return std::make_shared<Dense>(in, spec.count("out"), spec.flag_or("bias", true), init,
                                      ctx.rng);
     },
     "fully connected: out, [in], [bias: true], [init]"});

const LayerTypeRegistrar relu_type("relu", parameter_free<ReLU>("max(x, 0)"));
const LayerTypeRegistrar tanh_type("tanh", parameter_free<Tanh>("tanh(x)"));
const LayerTypeRegistrar sigmoid_type("sigmoid", parameter_free<Sigmoid>("1 / (1 + e^-x)"));
const LayerTypeRegistrar flatten_type("flatten", parameter_free<Flatten>("(C, H, W) -> (C*H*W)"));

}  // namespace
}  // namespace poda
