// An MLP for scikit-learn's 8x8 digits (dataset: {name: digits}): 64-64-32-10, 6,570
// parameters, small enough that a sweep over it runs in seconds.
#include "nn/zoo.h"

namespace poda {
namespace {
const ZooRegistrar digits_mlp("digits_mlp",
                              {{layer("flatten"), layer("dense", "fc1", {{"out", 64}}),
                                layer("relu"), layer("dense", "fc2", {{"out", 32}}),
                                layer("relu"), layer("dense", "fc3", {{"out", 10}})},
                               "64-64-32-10 MLP for the 8x8 digits dataset"});
}  // namespace
}  // namespace poda
