#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "data/batch_loader.h"
#include "data/data_error.h"
#include "data_files.h"

using namespace poda;
using namespace poda::testing;

namespace {

// The sample indices of one epoch, read back from pixel 0 of numbered_set(n < 256, 2, 2).
std::vector<std::size_t> epoch_samples(BatchLoader& loader, std::size_t epoch,
                                       std::vector<std::size_t>* batch_sizes = nullptr) {
  loader.start_epoch(epoch);
  std::vector<std::size_t> seen;
  Batch batch;
  while (loader.next(batch)) {
    const std::size_t b = batch.images.shape()[0];
    if (batch_sizes) batch_sizes->push_back(b);
    for (std::size_t i = 0; i < b; ++i) {
      const auto idx = static_cast<std::size_t>(batch.images.data()[i * 4] * 255.0f + 0.5f);
      CHECK(batch.labels[i] == int(idx % 10));
      seen.push_back(idx);
    }
  }
  return seen;
}

}  // namespace

TEST_CASE("batch loader covers every sample once per epoch") {
  const ImageSet set = numbered_set(100, 2, 2);
  BatchLoader loader(set, 16, true, 7, identity_normalization(1));
  CHECK(loader.size() == 100);
  CHECK(loader.batches_per_epoch() == 7);
  std::vector<std::size_t> sizes;
  auto seen = epoch_samples(loader, 0, &sizes);
  CHECK(sizes == std::vector<std::size_t>{16, 16, 16, 16, 16, 16, 4});
  CHECK(seen == loader.order());
  std::sort(seen.begin(), seen.end());
  for (std::size_t i = 0; i < 100; ++i) CHECK(seen[i] == i);
}

TEST_CASE("batch loader order depends only on seed and epoch") {
  const ImageSet set = numbered_set(200, 2, 2);
  BatchLoader a(set, 32, true, 42, identity_normalization(1));
  BatchLoader b(set, 32, true, 42, identity_normalization(1));
  BatchLoader other_seed(set, 32, true, 43, identity_normalization(1));
  const auto a0 = epoch_samples(a, 0);
  const auto a1 = epoch_samples(a, 1);
  CHECK(epoch_samples(b, 0) == a0);
  CHECK(a1 != a0);
  CHECK(epoch_samples(a, 0) == a0);  // going back to epoch 0 replays it
  CHECK(epoch_samples(other_seed, 0) != a0);
  std::vector<std::size_t> identity(200);
  for (std::size_t i = 0; i < 200; ++i) identity[i] = i;
  CHECK(a0 != identity);
  BatchLoader in_order(set, 32, false, 42, identity_normalization(1));
  CHECK(epoch_samples(in_order, 3) == identity);
}

TEST_CASE("batch loader drop_last skips the short final batch") {
  const ImageSet set = numbered_set(100, 2, 2);
  BatchLoader loader(set, 16, true, 1, identity_normalization(1), {}, true);
  CHECK(loader.batches_per_epoch() == 6);
  std::vector<std::size_t> sizes;
  const auto seen = epoch_samples(loader, 0, &sizes);
  CHECK(sizes == std::vector<std::size_t>(6, 16));
  CHECK(std::set<std::size_t>(seen.begin(), seen.end()).size() == 96);
  Batch batch;
  CHECK_FALSE(loader.next(batch));  // stays at the end until the next start_epoch
}

TEST_CASE("batch loader reuses the batch buffer") {
  const ImageSet set = numbered_set(64, 2, 2);
  BatchLoader loader(set, 16, true, 1, identity_normalization(1));
  Batch batch;
  REQUIRE(loader.next(batch));
  const float* first = batch.images.data();
  REQUIRE(loader.next(batch));
  CHECK(batch.images.data() == first);
  CHECK(batch.images.shape() == std::vector<std::size_t>{16, 1, 2, 2});
}

TEST_CASE("batch loader normalises per channel") {
  const ImageSet set = image_set(1, 2, 1, 2, {0, 255, 51, 102}, {3});
  BatchLoader loader(set, 1, false, 0, Normalization{{0.5f, 0.2f}, {0.5f, 0.25f}});
  Batch batch;
  REQUIRE(loader.next(batch));
  const float* x = batch.images.data();
  CHECK(x[0] == doctest::Approx(-1.0f).epsilon(1e-6));
  CHECK(x[1] == doctest::Approx(1.0f).epsilon(1e-6));
  CHECK(x[2] == doctest::Approx(0.0f).epsilon(1e-6));
  CHECK(x[3] == doctest::Approx(0.8f).epsilon(1e-6));  // (0.4 - 0.2) / 0.25
  CHECK(batch.labels == std::vector<int>{3});
}

namespace {

using Image3 = std::array<std::array<int, 3>, 3>;

// Reference augmentation built the slow, literal way: pad with zeros, crop at (top, left)
// of the padded image, then mirror.
Image3 reference_crop_flip(const Image3& img, int top, int left, bool flip) {
  int padded[5][5] = {};
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) padded[y + 1][x + 1] = img[y][x];
  Image3 out{};
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) out[y][x] = padded[y + top][(flip ? 2 - x : x) + left];
  return out;
}

}  // namespace

TEST_CASE("random crop and flip match a literal pad-crop-mirror") {
  const Image3 img{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}};
  // The reference itself, checked by hand.
  CHECK(reference_crop_flip(img, 2, 2, false) == Image3{{{5, 6, 0}, {8, 9, 0}, {0, 0, 0}}});
  CHECK(reference_crop_flip(img, 1, 1, true) == Image3{{{3, 2, 1}, {6, 5, 4}, {9, 8, 7}}});
  CHECK(reference_crop_flip(img, 0, 1, true) == Image3{{{0, 0, 0}, {3, 2, 1}, {6, 5, 4}}});

  ImageSet set = image_set(200, 1, 3, 3);
  for (std::size_t i = 0; i < set.count; ++i) {
    for (int v = 1; v <= 9; ++v) set.pixels.push_back(std::uint8_t(v));
    set.labels.push_back(0);
  }
  BatchLoader loader(set, 50, true, 5, identity_normalization(1), Augmentation{1, true});
  std::set<std::array<int, 3>> variants_seen;
  Batch batch;
  while (loader.next(batch)) {
    for (std::size_t i = 0; i < batch.labels.size(); ++i) {
      Image3 got{};
      for (int k = 0; k < 9; ++k)
        got[k / 3][k % 3] = int(batch.images.data()[i * 9 + k] * 255.0f + 0.5f);
      int matches = 0;
      for (int top = 0; top < 3; ++top)
        for (int left = 0; left < 3; ++left)
          for (int flip = 0; flip < 2; ++flip)
            if (reference_crop_flip(img, top, left, flip) == got) {
              ++matches;
              variants_seen.insert({top, left, flip});
            }
      CHECK(matches == 1);
    }
  }
  CHECK(variants_seen.size() == 18);  // every shift and mirror occurs among 200 draws
}

TEST_CASE("augmentation is deterministic and independent of batch size") {
  ImageSet set = image_set(30, 3, 5, 4);
  for (std::size_t i = 0; i < set.count * 60; ++i) set.pixels.push_back(std::uint8_t(i * 31));
  set.labels.assign(30, 1);
  const Normalization norm{{0.1f, 0.2f, 0.3f}, {0.5f, 0.6f, 0.7f}};
  auto stream = [&](std::size_t batch_size, std::size_t epoch) {
    BatchLoader loader(set, batch_size, true, 9, norm, Augmentation{2, true});
    loader.start_epoch(epoch);
    std::vector<float> all;
    Batch batch;
    while (loader.next(batch))
      all.insert(all.end(), batch.images.data(), batch.images.data() + batch.images.size());
    return all;
  };
  const auto a = stream(4, 2);
  CHECK(a.size() == 30u * 60u);
  CHECK(stream(7, 2) == a);
  CHECK(stream(4, 3) != a);
  // Padding is a zero byte normalised like any other: (0 - mean) / std appears.
  CHECK(std::find(a.begin(), a.end(), -0.1f / 0.5f) != a.end());
}

TEST_CASE("batch loader rejects bad arguments") {
  const ImageSet set = numbered_set(10, 2, 2);
  CHECK_THROWS_WITH_AS(BatchLoader(set, 0, true, 0, identity_normalization(1)),
                       "BatchLoader: batch_size must be at least 1", DataError);
  CHECK_THROWS_WITH_AS(BatchLoader(set, 4, true, 0, identity_normalization(3)),
                       "BatchLoader: normalisation has 3 means and 3 stds for images of 1 "
                       "channels",
                       DataError);
  CHECK_THROWS_WITH_AS(BatchLoader(set, 4, true, 0, Normalization{{0.f}, {0.f}}),
                       "BatchLoader: std of channel 0 is 0, must be > 0", DataError);
  ImageSet broken = set;
  broken.labels[3] = 12;
  CHECK_THROWS_WITH_AS(BatchLoader(broken, 4, true, 0, identity_normalization(1)),
                       "BatchLoader: label 12 of sample 3 is out of range (expected < 10)",
                       DataError);
}
