#include <doctest/doctest.h>

#include "core/ops.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"

using namespace poda;

namespace {
std::shared_ptr<Sequential> build(const std::string& name, const Shape& input) {
  Rng rng(1);
  const ZooEntry* entry = find_zoo_model(name);
  REQUIRE(entry != nullptr);
  return build_model(entry->layers, input, Init::kaiming_uniform, rng);
}

// Weights + biases of a k x k conv and of a dense layer, for the hand counts below.
std::size_t conv(std::size_t in, std::size_t out, std::size_t k, bool bias = true) {
  return in * out * k * k + (bias ? out : 0);
}
std::size_t dense(std::size_t in, std::size_t out) {
  return in * out + out;
}
std::size_t bn(std::size_t c) {
  return 2 * c;
}
}  // namespace

TEST_CASE("CNN zoo: parameter counts against published numbers and hand counts") {
  struct Expected {
    const char* name;
    Shape input;
    std::size_t params;
  };
  const Expected models[] = {
      {"lenet5", {1, 28, 28}, 61706},         // the usual figure for 6-16-120-84
      {"lenet5_caffe", {1, 28, 28}, 431080},  // Han et al. 2015, Table 1: 431K
      // Frankle & Carbin 2019, Figure 2: 4.3M, 2.4M; Conv-6 by hand (see conv_frankle_carbin.cpp)
      {"conv2",
       {3, 32, 32},
       conv(3, 64, 3) + conv(64, 64, 3) + dense(16384, 256) + dense(256, 256) + dense(256, 10)},
      {"conv4", {3, 32, 32}, 2425930},
      {"conv6",
       {3, 32, 32},
       conv(3, 64, 3) + conv(64, 64, 3) + conv(64, 128, 3) + conv(128, 128, 3) + conv(128, 256, 3) +
           conv(256, 256, 3) + dense(4096, 256) + dense(256, 256) + dense(256, 10)},
      {"resnet20", {3, 32, 32}, 272474},
      // LeNet-5 on CIFAR-shaped input: conv1 sees 3 channels, fc1 sees 16x6x6.
      {"lenet5",
       {3, 32, 32},
       conv(3, 6, 5) + conv(6, 16, 5) + dense(576, 120) + dense(120, 84) + dense(84, 10)},
      {"lenet5_caffe",
       {3, 32, 32},
       conv(3, 20, 5) + conv(20, 50, 5) + dense(1250, 500) + dense(500, 10)},
  };
  for (const Expected& m : models) {
    CAPTURE(m.name);
    CAPTURE(shape_str(m.input));
    auto model = build(m.name, m.input);
    CHECK(model->parameter_count() == m.params);
    CHECK(model->output_shape(m.input) == Shape{10});
  }
  CHECK(build("conv2", {3, 32, 32})->parameter_count() == 4301642);
  CHECK(build("conv6", {3, 32, 32})->parameter_count() == 2262602);
  // ResNet-20 by hand: stem, 9 blocks, two projection shortcuts, head.
  const std::size_t stem = conv(3, 16, 3, false) + bn(16);
  const std::size_t block16 = 2 * (conv(16, 16, 3, false) + bn(16));
  const std::size_t block32 = 2 * (conv(32, 32, 3, false) + bn(32));
  const std::size_t block64 = 2 * (conv(64, 64, 3, false) + bn(64));
  const std::size_t down32 = conv(16, 32, 3, false) + conv(32, 32, 3, false) + 2 * bn(32) +
                             conv(16, 32, 1, false) + bn(32);
  const std::size_t down64 = conv(32, 64, 3, false) + conv(64, 64, 3, false) + 2 * bn(64) +
                             conv(32, 64, 1, false) + bn(64);
  CHECK(stem + 3 * block16 + down32 + 2 * block32 + down64 + 2 * block64 + dense(64, 10) == 272474);
  // VGG-16: 13 convs without bias, each with batch norm, then 512 -> 10.
  const std::size_t widths[] = {3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512};
  std::size_t vgg = dense(512, 10);
  for (int i = 0; i < 13; ++i) vgg += conv(widths[i], widths[i + 1], 3, false) + bn(widths[i + 1]);
  CHECK(build("vgg16", {3, 32, 32})->parameter_count() == vgg);
}

TEST_CASE("CNN zoo: forward passes give (B, 10) on the input they are built for") {
  const std::pair<const char*, Shape> runs[] = {
      {"lenet5", {1, 28, 28}},   {"lenet5", {3, 32, 32}},   {"lenet5_caffe", {1, 28, 28}},
      {"conv2", {3, 32, 32}},    {"conv4", {1, 28, 28}},    {"conv6", {3, 32, 32}},
      {"resnet20", {3, 32, 32}}, {"resnet20", {1, 28, 28}}, {"vgg16", {3, 32, 32}}};
  for (const auto& [name, input] : runs) {
    CAPTURE(name);
    CAPTURE(shape_str(input));
    auto model = build(name, input);
    Shape batch{2};
    batch.insert(batch.end(), input.begin(), input.end());
    Variable y = model->forward(Variable(zeros_array(batch)));
    CHECK(y.shape() == Shape{2, 10});
  }
}

TEST_CASE("CNN zoo: MACs per sample") {
  // lenet5: conv1 28*28*6*25, conv2 10*10*16*150, dense 400*120 + 120*84 + 84*10.
  CHECK(build("lenet5", {1, 28, 28})->macs({1, 28, 28}) ==
        28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10);
  CHECK(build("lenet5_caffe", {1, 28, 28})->macs({1, 28, 28}) ==
        24 * 24 * 20 * 25 + 8 * 8 * 50 * 500 + 800 * 500 + 500 * 10);
  // ResNet-20: about 41M MACs (He et al. 2016 quote 41M FLOPs, meaning multiply-adds).
  const std::size_t resnet = build("resnet20", {3, 32, 32})->macs({3, 32, 32});
  CHECK(resnet > 40000000);
  CHECK(resnet < 42000000);
}

TEST_CASE("residual blocks: parameter names, identity and projection shortcuts") {
  auto model = build("resnet20", {3, 32, 32});
  std::vector<std::string> names;
  for (auto& [name, p] : model->named_parameters()) names.push_back(name);
  auto has = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  CHECK(has("stage1_0.body.conv1.weight"));
  CHECK(has("stage2_0.shortcut.conv.weight"));
  CHECK(has("stage2_0.shortcut.bn.weight"));
  CHECK_FALSE(has("stage2_1.shortcut.conv.weight"));
  CHECK(has("fc.weight"));
  // A residual block whose body changes the shape needs a shortcut that does too.
  LayerSpec block = layer("residual", "res");
  block.lists["layers"] = {layer("conv2d", "c", {{"out", 4}, {"kernel", 3}})};
  Rng rng(2);
  CHECK_THROWS_WITH_AS(build_model({block}, {2, 6, 6}, Init::kaiming_uniform, rng),
                       "layer 0 'res' (residual): Residual body gives (4, 4, 4) but the identity "
                       "shortcut passes (2, 6, 6) for input (2, 6, 6)",
                       ShapeError);
}

TEST_CASE("bad shapes are rejected when the model is built, naming layer and shapes") {
  Rng rng(3);
  const Shape mnist{1, 28, 28};
  SUBCASE("dense after flatten with the wrong input size") {
    std::vector<LayerSpec> layers{layer("conv2d", "conv1", {{"out", 4}, {"kernel", 5}}),
                                  layer("flatten"),
                                  layer("dense", "fc", {{"in", 400}, {"out", 10}})};
    CHECK_THROWS_WITH_AS(build_model(layers, mnist, Init::kaiming_uniform, rng),
                         "layer 2 'fc' (dense): Dense expects input (400) but gets (2304)",
                         ShapeError);
  }
  SUBCASE("kernel larger than the padded input") {
    std::vector<LayerSpec> layers{
        layer("maxpool2d", "pool", {{"kernel", 8}}),
        layer("conv2d", "conv", {{"out", 4}, {"kernel", 7}, {"padding", 1}})};
    layers[1].where = "net.yaml:4:3";
    CHECK_THROWS_WITH_AS(build_model(layers, mnist, Init::kaiming_uniform, rng),
                         "net.yaml:4:3: layer 1 'conv' (conv2d): Conv2d kernel 7x7 (dilation 1) "
                         "is larger than input (1, 3, 3) padded by 1",
                         ShapeError);
  }
  SUBCASE("groups not dividing the channels") {
    std::vector<LayerSpec> layers{
        layer("conv2d", "c1", {{"out", 6}, {"kernel", 3}}),
        layer("conv2d", "c2", {{"out", 8}, {"kernel", 3}, {"groups", 4}})};
    CHECK_THROWS_WITH_AS(build_model(layers, mnist, Init::kaiming_uniform, rng),
                         "layer 1 'c2' (conv2d): Conv2d groups 4 must divide the input channels "
                         "of (6, 26, 26) and the output channels (8)",
                         ShapeError);
  }
  SUBCASE("a conv on a flat input, a pool larger than the map, VGG on 28x28") {
    std::vector<LayerSpec> flat{layer("flatten"),
                                layer("conv2d", "c", {{"out", 2}, {"kernel", 3}})};
    CHECK_THROWS_WITH_AS(build_model(flat, mnist, Init::kaiming_uniform, rng),
                         "layer 1 'c' (conv2d): Conv2d expects input (C, H, W) but gets (784)",
                         ShapeError);
    std::vector<LayerSpec> pool{layer("maxpool2d", "p", {{"kernel", 30}})};
    CHECK_THROWS_WITH_AS(build_model(pool, mnist, Init::kaiming_uniform, rng),
                         "layer 0 'p' (maxpool2d): MaxPool2d kernel 30x30 is larger than input "
                         "(1, 28, 28) padded by 0",
                         ShapeError);
    CHECK_THROWS_AS(build("vgg16", mnist), ShapeError);
  }
}
