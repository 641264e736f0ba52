// VGG-16 for 32x32 inputs (Simonyan & Zisserman 2015 as adapted to CIFAR by Li et al. 2017
// and Liu et al. 2019): thirteen 3x3 convs (padding 1, no bias) each followed by batch norm
// and ReLU, 2x2 max pooling after each of the five stages (32 -> 1), then one dense layer
// 512 -> 10. 14,724,042 parameters (14,710,464 conv weights, 8,448 batch-norm, 5,130 dense).
// Needs inputs of at least 32x32: five halvings.
#include <string>

#include "nn/zoo.h"

namespace poda {
namespace {

std::vector<LayerSpec> vgg16() {
  const std::vector<std::vector<double>> stages{
      {64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
  std::vector<LayerSpec> layers;
  std::size_t n = 1;
  for (std::size_t s = 0; s < stages.size(); ++s) {
    for (double width : stages[s]) {
      const std::string id = std::to_string(n++);
      layers.push_back(layer("conv2d", "conv" + id,
                             {{"out", width}, {"kernel", 3}, {"padding", 1}, {"bias", 0}}));
      layers.push_back(layer("batchnorm", "bn" + id));
      layers.push_back(layer("relu"));
    }
    layers.push_back(layer("maxpool2d", "pool" + std::to_string(s + 1), {{"kernel", 2}}));
  }
  layers.push_back(layer("flatten"));
  layers.push_back(layer("dense", "fc", {{"out", 10}}));
  return layers;
}

const ZooRegistrar vgg16_entry(
    "vgg16", {vgg16(), "VGG-16 with batch norm for 32x32 inputs (Li et al. 2017 CIFAR form)"});

}  // namespace
}  // namespace poda
