#pragma once
// Mini-batches over an ImageSet, one epoch at a time. The uint8 -> float conversion,
// normalisation and augmentation happen in one pass per sample, straight into the batch
// tensor, whose buffer is reused from batch to batch.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "data/image_set.h"
#include "data/normalization.h"

namespace poda {

struct Batch {
  Array images;             // (B, C, H, W) float, normalised
  std::vector<int> labels;  // (B)
};

struct Augmentation {
  int crop_padding = 0;          // random crop of the zero-padded image, e.g. 4 for CIFAR
  bool horizontal_flip = false;  // mirror with probability 1/2
};

class BatchLoader {
 public:
  // `set` must outlive the loader. The loader is at the start of epoch 0 once built.
  BatchLoader(const ImageSet& set, std::size_t batch_size, bool shuffle, std::uint64_t seed,
              Normalization norm, Augmentation aug = {}, bool drop_last = false);

  // Order and augmentation depend only on (seed, epoch), not on what ran before.
  void start_epoch(std::size_t epoch);
  // false at the end of the epoch; reuses batch's buffers when the shape is unchanged.
  bool next(Batch& batch);

  std::size_t batches_per_epoch() const;
  std::size_t size() const { return set_->count; }
  // The sample order of the current epoch.
  const std::vector<std::size_t>& order() const { return order_; }

 private:
  void copy_sample(std::size_t sample, std::size_t position, float* out) const;

  const ImageSet* set_;
  std::size_t batch_size_;
  bool shuffle_;
  std::uint64_t seed_;
  Augmentation aug_;
  bool drop_last_;
  std::vector<float> lut_;  // (C, 256): the normalised value of each byte per channel
  std::vector<std::size_t> order_;
  std::uint64_t augment_seed_ = 0;  // of the current epoch
  std::size_t cursor_ = 0;
};

}  // namespace poda
