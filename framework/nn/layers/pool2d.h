#pragma once
// What the window pooling layers share: kernel, stride and padding, shape inference and the
// YAML keys. MaxPool2d and AvgPool2d add only their forward pass.
#include <string>

#include "nn/layer_spec.h"
#include "nn/module.h"

namespace poda {

class Pool2d : public Module {
 public:
  // stride 0 means stride = kernel (non-overlapping windows).
  Pool2d(std::string type, std::size_t kernel, std::size_t stride, std::size_t padding);
  std::string type_name() const override { return type_; }
  std::string describe() const override;
  // (C, H, W) -> (C, H_out, W_out), or a ShapeError naming the layer and the shapes.
  Shape output_shape(const Shape& input) const override;
  ChannelFlow channel_flow() const override { return ChannelFlow::keeps_zeros; }

 protected:
  std::size_t kernel_, stride_, padding_;

 private:
  std::string type_;
};

// The registry entry of a pooling layer M: keys kernel, [stride: kernel], [padding: 0].
template <class M>
LayerType pool_layer_type(const std::string& help) {
  return {{{"kernel", KeyKind::count}, {"stride", KeyKind::count}, {"padding", KeyKind::count}},
          [](const LayerSpec& spec, const Shape&, BuildContext&) -> ModulePtr {
            return std::make_shared<M>(spec.count("kernel"), spec.count_or("stride", 0),
                                       spec.count_or("padding", 0));
          },
          help};
}

}  // namespace poda
