// A new zoo model, written in code: 784-64-32-10 with the example's LeakyReLU.
#include "nn/zoo.h"

namespace example {
namespace {

using poda::layer;

const poda::ZooRegistrar reg("tiny_leaky_mlp",
                             {{layer("flatten"), layer("dense", "fc1", {{"out", 64}}),
                               layer("leaky_relu"), layer("dense", "fc2", {{"out", 32}}),
                               layer("leaky_relu"), layer("dense", "fc3", {{"out", 10}})},
                              "784-64-32-10 MLP with LeakyReLU (example)"});

}  // namespace
}  // namespace example
