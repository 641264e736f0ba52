// Conv-2, Conv-4, Conv-6 of Frankle & Carbin 2019 (the lottery ticket paper, Figure 2) for
// (3, 32, 32): 3x3 convs with padding 1 and ReLU, 2x2 max pooling after every pair, then
// dense 256-256-10. Parameters (weights + biases): Conv-2 4,301,642 (paper: 4.3M), Conv-4
// 2,425,930 (paper: 2.4M), Conv-6 2,262,602 (the paper's table says 1.7M, which these layers
// cannot give: its conv weights alone are 1.14M and its first dense layer 4096x256 = 1.05M).
#include <string>

#include "nn/zoo.h"

namespace poda {
namespace {

std::vector<LayerSpec> conv_net(std::size_t pairs) {
  std::vector<LayerSpec> layers;
  std::size_t width = 64, n = 1;
  for (std::size_t p = 0; p < pairs; ++p, width *= 2) {
    for (int k = 0; k < 2; ++k, ++n) {
      layers.push_back(layer("conv2d", "conv" + std::to_string(n),
                             {{"out", double(width)}, {"kernel", 3}, {"padding", 1}}));
      layers.push_back(layer("relu"));
    }
    layers.push_back(layer("maxpool2d", "pool" + std::to_string(p + 1), {{"kernel", 2}}));
  }
  layers.push_back(layer("flatten"));
  layers.push_back(layer("dense", "fc1", {{"out", 256}}));
  layers.push_back(layer("relu"));
  layers.push_back(layer("dense", "fc2", {{"out", 256}}));
  layers.push_back(layer("relu"));
  layers.push_back(layer("dense", "fc3", {{"out", 10}}));
  return layers;
}

const ZooRegistrar conv2("conv2", {conv_net(1), "Conv-2 (Frankle & Carbin 2019)"});
const ZooRegistrar conv4("conv4", {conv_net(2), "Conv-4 (Frankle & Carbin 2019)"});
const ZooRegistrar conv6("conv6", {conv_net(3), "Conv-6 (Frankle & Carbin 2019)"});

}  // namespace
}  // namespace poda
