#include "experiment/runner/data_source.h"

#include "data/cifar10.h"
#include "data/mnist.h"

namespace poda {

LoadedData load_data(const DatasetConfig& d, std::uint64_t seed) {
  ImageSet train, test;
  if (d.name == "cifar10") {
    const std::string dir = d.path.empty() ? default_cifar10_dir() : d.path;
    train = load_cifar10_split(dir, true);
    test = load_cifar10_split(dir, false);
  } else {
    const std::string dir = d.path.empty() ? default_fashion_mnist_dir() : d.path;
    train = load_mnist_split(dir, true);
    test = load_mnist_split(dir, false);
  }
  LoadedData out;
  out.input_shape = {train.channels, train.height, train.width};
  SplitOptions split = d.split;
  split.seed = seed;
  out.splits = make_splits(std::move(train), std::move(test), split);
  out.norm = d.normalize ? compute_normalization(out.splits.train)
                         : identity_normalization(out.input_shape[0]);
  return out;
}

}  // namespace poda
