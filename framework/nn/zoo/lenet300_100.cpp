// LeNet-300-100 (LeCun et al. 1998), the MLP of Han et al. 2015 and Frankle & Carbin 2019:
// 784-300-100-10, 266,610 parameters.
#include "nn/zoo.h"

namespace poda {
namespace {
const ZooRegistrar lenet300_100("lenet300_100",
                                {{layer("flatten"), layer("dense", "fc1", {{"out", 300}}),
                                  layer("relu"), layer("dense", "fc2", {{"out", 100}}),
                                  layer("relu"), layer("dense", "fc3", {{"out", 10}})},
                                 "LeNet-300-100 MLP (LeCun et al. 1998; Han et al. 2015)"});
}  // namespace
}  // namespace poda
