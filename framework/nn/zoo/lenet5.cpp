// The two LeNet-5 forms used in pruning papers. Both take (1, 28, 28) and also (3, 32, 32);
// the dense layers' input sizes follow from the input shape.
#include "nn/zoo.h"

namespace poda {
namespace {

// LeCun et al. 1998 as commonly reimplemented: 5x5 convs 6-16 (the first padded by 2 so a
// 28x28 input gives the paper's 28x28 maps), 2x2 max pooling, dense 120-84-10, ReLU.
// 61,706 parameters on (1, 28, 28).
const ZooRegistrar lenet5("lenet5",
                          {{layer("conv2d", "conv1", {{"out", 6}, {"kernel", 5}, {"padding", 2}}),
                            layer("relu"), layer("maxpool2d", "pool1", {{"kernel", 2}}),
                            layer("conv2d", "conv2", {{"out", 16}, {"kernel", 5}}), layer("relu"),
                            layer("maxpool2d", "pool2", {{"kernel", 2}}), layer("flatten"),
                            layer("dense", "fc1", {{"out", 120}}), layer("relu"),
                            layer("dense", "fc2", {{"out", 84}}), layer("relu"),
                            layer("dense", "fc3", {{"out", 10}})},
                           "LeNet-5, classic 6-16-120-84 form (LeCun et al. 1998)"});

// Caffe's LeNet (the 20-50-500 form Han et al. 2015 prune): no activation between the convs
// and pools, as in Caffe's lenet_train_test.prototxt. 431,080 parameters on (1, 28, 28).
const ZooRegistrar lenet5_caffe("lenet5_caffe",
                                {{layer("conv2d", "conv1", {{"out", 20}, {"kernel", 5}}),
                                  layer("maxpool2d", "pool1", {{"kernel", 2}}),
                                  layer("conv2d", "conv2", {{"out", 50}, {"kernel", 5}}),
                                  layer("maxpool2d", "pool2", {{"kernel", 2}}), layer("flatten"),
                                  layer("dense", "fc1", {{"out", 500}}), layer("relu"),
                                  layer("dense", "fc2", {{"out", 10}})},
                                 "LeNet-5, Caffe 20-50-500 form (Han et al. 2015)"});

}  // namespace
}  // namespace poda
