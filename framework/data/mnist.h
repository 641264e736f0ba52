#pragma once
// MNIST-format data sets (MNIST, Fashion-MNIST, ...): a folder holding the four standard
// idx files, each plain or gzipped.
#include <cstddef>
#include <string>

#include "data/image_set.h"

namespace poda {

// train-{images-idx3,labels-idx1}-ubyte[.gz] or t10k-...; images come out as (1, H, W).
ImageSet load_mnist_split(const std::string& dir, bool train);

// Checks the split without reading its data: both files present, their headers valid, 28x28
// images, as many labels as images. Returns the sample count; DataError naming the file.
std::size_t check_mnist_split(const std::string& dir, bool train);

// Where Debian's dataset-fashion-mnist package installs Fashion-MNIST.
std::string default_fashion_mnist_dir();

}  // namespace poda
