#include "data/batch_loader.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "core/random.h"
#include "data/data_error.h"

namespace poda {

BatchLoader::BatchLoader(const ImageSet& set, std::size_t batch_size, bool shuffle,
                         std::uint64_t seed, Normalization norm, Augmentation aug, bool drop_last)
    : set_(&set),
      batch_size_(batch_size),
      shuffle_(shuffle),
      seed_(seed),
      aug_(aug),
      drop_last_(drop_last) {
  check_image_set(set, "BatchLoader");
  if (batch_size == 0) throw DataError("BatchLoader: batch_size must be at least 1");
  if (norm.mean.size() != set.channels || norm.std.size() != set.channels)
    throw DataError(
        fmt::format("BatchLoader: normalisation has {} means and {} stds for "
                    "images of {} channels",
                    norm.mean.size(), norm.std.size(), set.channels));
  if (aug.crop_padding < 0)
    throw DataError(fmt::format("BatchLoader: crop_padding {} is negative", aug.crop_padding));
  lut_.resize(set.channels * 256);
  for (std::size_t c = 0; c < set.channels; ++c) {
    if (!(norm.std[c] > 0.0f))
      throw DataError(
          fmt::format("BatchLoader: std of channel {} is {}, must be > 0", c, norm.std[c]));
    for (int v = 0; v < 256; ++v)
      lut_[c * 256 + v] =
          static_cast<float>((v / 255.0 - double(norm.mean[c])) / double(norm.std[c]));
  }
  order_.resize(set.count);
  start_epoch(0);
}

void BatchLoader::start_epoch(std::size_t epoch) {
  std::iota(order_.begin(), order_.end(), std::size_t(0));
  if (shuffle_) {
    Rng rng(derive_seed(seed_, 2 * std::uint64_t(epoch)));
    shuffle_in_place(order_, rng);
  }
  augment_seed_ = derive_seed(seed_, 2 * std::uint64_t(epoch) + 1);
  cursor_ = 0;
}

std::size_t BatchLoader::batches_per_epoch() const {
  const std::size_t n = set_->count;
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

bool BatchLoader::next(Batch& batch) {
  const std::size_t n = order_.size();
  if (cursor_ >= n) return false;
  const std::size_t b = std::min(batch_size_, n - cursor_);
  if (drop_last_ && b < batch_size_) {
    cursor_ = n;
    return false;
  }
  const ImageSet& set = *set_;
  const Shape shape{b, set.channels, set.height, set.width};
  if (!std::equal(shape.begin(), shape.end(), batch.images.shape().begin(),
                  batch.images.shape().end()))
    batch.images.resize(shape);
  batch.labels.resize(b);
  float* out = batch.images.data();
  const std::size_t per = set.sample_size();
  for (std::size_t i = 0; i < b; ++i) {
    const std::size_t sample = order_[cursor_ + i];
    copy_sample(sample, cursor_ + i, out + i * per);
    batch.labels[i] = set.labels[sample];
  }
  cursor_ += b;
  return true;
}

// out[c][y][x] = norm(img[c][y + dy][x' + dx]) with x' = W-1-x when flipped: a crop of the
// image padded by p zeros on each side (dy, dx in [-p, p]) followed by a mirror, as
// torchvision's RandomCrop(padding=p) then RandomHorizontalFlip. Padding is a zero byte,
// normalised like any other.
void BatchLoader::copy_sample(std::size_t sample, std::size_t position, float* out) const {
  const ImageSet& set = *set_;
  const std::size_t C = set.channels, H = set.height, W = set.width;
  const std::uint8_t* src = set.pixels.data() + sample * set.sample_size();
  const float* lut = lut_.data();
  const int pad = aug_.crop_padding;
  if (pad == 0 && !aug_.horizontal_flip) {
    for (std::size_t c = 0; c < C; ++c) {
      const float* l = lut + c * 256;
      const std::uint8_t* s = src + c * H * W;
      float* o = out + c * H * W;
      for (std::size_t k = 0; k < H * W; ++k) o[k] = l[s[k]];
    }
    return;
  }
  // Drawn from (epoch seed, position in the epoch): independent of batch size.
  Rng rng(derive_seed(augment_seed_, position));
  long dy = 0, dx = 0;
  if (pad > 0) {
    dy = long(rng.below(2 * std::uint64_t(pad) + 1)) - pad;
    dx = long(rng.below(2 * std::uint64_t(pad) + 1)) - pad;
  }
  const bool flip = aug_.horizontal_flip && (rng.next() >> 63);
  const long h = long(H), w = long(W);
  for (std::size_t c = 0; c < C; ++c) {
    const float* l = lut + c * 256;
    const float zero = l[0];
    for (long y = 0; y < h; ++y) {
      float* o = out + (c * H + std::size_t(y)) * W;
      const long sy = y + dy;
      if (sy < 0 || sy >= h) {
        std::fill(o, o + W, zero);
        continue;
      }
      const std::uint8_t* row = src + (c * H + std::size_t(sy)) * W;
      if (!flip) {
        for (long x = 0; x < w; ++x) {
          const long sx = x + dx;
          o[x] = (sx >= 0 && sx < w) ? l[row[sx]] : zero;
        }
      } else {
        for (long x = 0; x < w; ++x) {
          const long sx = w - 1 - x + dx;
          o[x] = (sx >= 0 && sx < w) ? l[row[sx]] : zero;
        }
      }
    }
  }
}

}  // namespace poda
