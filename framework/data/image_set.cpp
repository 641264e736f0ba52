#include "data/image_set.h"

#include <cstring>

#include <fmt/format.h>

#include "data/data_error.h"

namespace poda {

void check_image_set(const ImageSet& set, const std::string& what) {
  if (set.pixels.size() != set.count * set.sample_size())
    throw DataError(fmt::format("{}: {} images of ({}, {}, {}) need {} pixel bytes, found {}", what,
                                set.count, set.channels, set.height, set.width,
                                set.count * set.sample_size(), set.pixels.size()));
  if (set.labels.size() != set.count)
    throw DataError(fmt::format("{}: {} images but {} labels", what, set.count, set.labels.size()));
  for (std::size_t i = 0; i < set.count; ++i)
    if (set.labels[i] >= set.num_classes)
      throw DataError(fmt::format("{}: label {} of sample {} is out of range (expected < {})", what,
                                  set.labels[i], i, set.num_classes));
}

ImageSet select_samples(const ImageSet& set, const std::vector<std::size_t>& indices) {
  ImageSet out;
  out.count = indices.size();
  out.channels = set.channels;
  out.height = set.height;
  out.width = set.width;
  out.num_classes = set.num_classes;
  const std::size_t n = set.sample_size();
  out.pixels.resize(out.count * n);
  out.labels.resize(out.count);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::size_t k = indices[i];
    if (k >= set.count)
      throw DataError(
          fmt::format("select_samples: index {} out of range for {} samples", k, set.count));
    std::memcpy(out.pixels.data() + i * n, set.pixels.data() + k * n, n);
    out.labels[i] = set.labels[k];
  }
  return out;
}

}  // namespace poda
