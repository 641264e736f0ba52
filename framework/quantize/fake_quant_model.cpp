#include "quantize/fake_quant_model.h"

#include <map>
#include <stdexcept>

#include "core/fake_quant.h"
#include "data/batch_loader.h"

namespace poda {

namespace {

bool is_weight_layer(const Module& m) {
  return m.channel_flow() == Module::ChannelFlow::transforms;
}

// y = fake_quantize(x, grid): the input of an int8 layer as the kernels would see it.
class InputFakeQuant : public Module {
 public:
  explicit InputFakeQuant(QuantGrid grid) : grid_(std::move(grid)) {}
  Variable forward(const Variable& x) override { return fake_quantize(x, grid_); }
  std::string type_name() const override { return "InputFakeQuant"; }
  Shape output_shape(const Shape& input) const override { return input; }

 private:
  QuantGrid grid_;
};

// Feeds each observed weight layer's input to its range observer.
class InputRangeObserver : public ForwardObserver {
 public:
  InputRangeObserver(const std::vector<Module*>& layers, const CalibrationSettings& settings) {
    for (Module* m : layers) observers_.emplace(m, RangeObserver(settings));
  }
  void observe(Module& module, const Variable& input, const Variable&) override {
    auto it = observers_.find(&module);
    if (it != observers_.end()) it->second.observe(input.data().data(), input.data().size());
  }
  QuantGrid grid(Module* m) const { return observers_.at(m).grid(); }

 private:
  std::map<Module*, RangeObserver> observers_;
};

}  // namespace

std::vector<LayerInputGrid> calibrate_layer_inputs(Sequential& model, const ImageSet& set,
                                                   const Normalization& norm,
                                                   std::size_t batch_size,
                                                   const CalibrationSettings& settings) {
  std::vector<Module*> top;
  std::vector<std::string> names;
  for (const auto& [name, child] : model.children())
    if (is_weight_layer(*child)) {
      top.push_back(child.get());
      names.push_back(name);
    }
  for (const auto& [name, m] : model.named_modules())
    if (is_weight_layer(*m) && std::find(top.begin(), top.end(), m) == top.end())
      throw std::invalid_argument("int8 quantization: weight layer '" + name +
                                  "' sits inside a block; only top-level layers are supported");
  if (top.empty()) throw std::invalid_argument("int8 quantization: the model has no weight layer");
  InputRangeObserver observer(top, settings);
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  model.set_observer(&observer);
  BatchLoader loader(set, batch_size, false, 0, norm);
  Batch batch;
  for (int b = 0; b < settings.batches && loader.next(batch); ++b) model(Variable(batch.images));
  model.set_observer(nullptr);
  model.train(was_training);
  std::vector<LayerInputGrid> grids;
  for (std::size_t i = 0; i < top.size(); ++i) grids.push_back({names[i], observer.grid(top[i])});
  return grids;
}

std::shared_ptr<Sequential> with_input_fake_quant(Sequential& model,
                                                  const std::vector<LayerInputGrid>& grids) {
  auto out = std::make_shared<Sequential>();
  for (const auto& [name, child] : model.children()) {
    for (const LayerInputGrid& g : grids)
      if (g.layer == name)
        out->add(name + "_input_quant", std::make_shared<InputFakeQuant>(g.grid));
    out->add(name, child);
  }
  out->train(model.is_training());
  return out;
}

void set_weight_fake_quant(Module& model, bool on) {
  for (const auto& [name, m] : model.named_modules())
    if (is_weight_layer(*m))
      for (auto& [pname, p] : m->named_parameters())
        if (pname == "weight") p->fake_quant = on;
}

}  // namespace poda
