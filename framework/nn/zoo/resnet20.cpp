// ResNet-20 for CIFAR (He et al. 2016, Section 4.2): a 3x3 conv with 16 filters, three stages
// of three basic blocks with 16, 32, 64 filters (stride 2 at the first block of stages 2 and
// 3), global average pooling, dense 10. Convs have no bias; each is followed by batch norm.
// Where a block changes the shape, the shortcut is a projection, 1x1 conv (stride 2) + batch
// norm: option B of the paper, chosen because a pruned filter can then be removed from the
// shortcut like from any conv (option A's zero-padded identity ties channels across blocks).
// 272,474 parameters (option A would give the often quoted 269,722: 0.27M).
#include <string>

#include "nn/zoo.h"

namespace poda {
namespace {

LayerSpec conv3x3(const std::string& name, double out, double stride) {
  return layer("conv2d", name,
               {{"out", out}, {"kernel", 3}, {"stride", stride}, {"padding", 1}, {"bias", 0}});
}

// body: conv-bn-relu-conv-bn; the block's ReLU follows the addition as its own layer.
LayerSpec basic_block(const std::string& name, double out, bool downsample) {
  LayerSpec block = layer("residual", name);
  block.lists["layers"] = {conv3x3("conv1", out, downsample ? 2 : 1), layer("batchnorm", "bn1"),
                           layer("relu"), conv3x3("conv2", out, 1), layer("batchnorm", "bn2")};
  if (downsample)
    block.lists["shortcut"] = {
        layer("conv2d", "conv", {{"out", out}, {"kernel", 1}, {"stride", 2}, {"bias", 0}}),
        layer("batchnorm", "bn")};
  return block;
}

std::vector<LayerSpec> resnet20() {
  std::vector<LayerSpec> layers{conv3x3("conv1", 16, 1), layer("batchnorm", "bn1"), layer("relu")};
  const double widths[] = {16, 32, 64};
  for (int s = 0; s < 3; ++s)
    for (int b = 0; b < 3; ++b) {
      const std::string name = "stage" + std::to_string(s + 1) + "_" + std::to_string(b);
      layers.push_back(basic_block(name, widths[s], s > 0 && b == 0));
      layers.push_back(layer("relu"));
    }
  layers.push_back(layer("global_avgpool", "pool"));
  layers.push_back(layer("dense", "fc", {{"out", 10}}));
  return layers;
}

const ZooRegistrar resnet20_entry(
    "resnet20", {resnet20(), "ResNet-20, CIFAR form with projection shortcuts (He et al. 2016)"});

}  // namespace
}  // namespace poda
