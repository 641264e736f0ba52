#pragma once
// Per-channel normalisation: a pixel byte p of channel c becomes (p/255 - mean[c]) / std[c],
// with mean and std on the [0, 1] scale (the torchvision convention, so published
// constants such as CIFAR-10's can be used as they are).
#include <cstddef>
#include <vector>

#include "data/image_set.h"

namespace poda {

struct Normalization {
  std::vector<float> mean, std;
};

// Exact statistics over every pixel of the set (compute it on the training split only).
// A constant channel gets std 1 rather than 0, so it maps to 0 instead of infinity.
Normalization compute_normalization(const ImageSet& set);

// mean 0, std 1: pixels only rescaled to [0, 1].
Normalization identity_normalization(std::size_t channels);

}  // namespace poda
