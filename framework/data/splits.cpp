#include "data/splits.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "core/random.h"
#include "data/data_error.h"

namespace poda {
namespace {

std::vector<std::size_t> shuffled_indices(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t(0));
  Rng rng(seed);
  shuffle_in_place(idx, rng);
  return idx;
}

// Keeps the samples at `keep` (ascending) in place: keep[i] >= i, so moving each one
// forward never overwrites a sample still to be moved.
void compact(ImageSet& set, const std::vector<std::size_t>& keep) {
  const std::size_t n = set.sample_size();
  for (std::size_t i = 0; i < keep.size(); ++i) {
    if (keep[i] != i) std::memmove(set.pixels.data() + i * n, set.pixels.data() + keep[i] * n, n);
    set.labels[i] = set.labels[keep[i]];
  }
  set.count = keep.size();
  set.pixels.resize(set.count * n);
  set.labels.resize(set.count);
}

void limit(ImageSet& set, std::size_t max_count, std::uint64_t seed) {
  if (max_count == 0 || max_count >= set.count) return;
  auto idx = shuffled_indices(set.count, seed);
  idx.resize(max_count);
  std::sort(idx.begin(), idx.end());
  compact(set, idx);
}

}  // namespace

DataSplits make_splits(ImageSet train_full, ImageSet test, const SplitOptions& options) {
  if (!(options.val_fraction >= 0.0 && options.val_fraction < 1.0))
    throw DataError(
        fmt::format("make_splits: val_fraction {} is outside [0, 1)", options.val_fraction));
  const std::size_t n = train_full.count;
  const std::size_t n_val =
      options.val_count > 0
          ? options.val_count
          : static_cast<std::size_t>(std::llround(options.val_fraction * double(n)));
  if (n_val >= n)
    throw DataError(
        fmt::format("make_splits: a validation set of {} leaves no training data "
                    "out of {} samples",
                    n_val, n));
  // Independent streams, so changing one limit does not reshuffle the other sets.
  auto order = shuffled_indices(n, derive_seed(options.seed, 0));
  std::vector<std::size_t> val_idx(order.begin(), order.begin() + n_val);
  std::vector<std::size_t> train_idx(order.begin() + n_val, order.end());
  std::sort(val_idx.begin(), val_idx.end());  // ascending: sequential copies, stable order
  std::sort(train_idx.begin(), train_idx.end());

  DataSplits out;
  out.val = select_samples(train_full, val_idx);
  compact(train_full, train_idx);
  out.train = std::move(train_full);
  out.test = std::move(test);
  limit(out.train, options.train_limit, derive_seed(options.seed, 1));
  limit(out.val, options.val_limit, derive_seed(options.seed, 2));
  limit(out.test, options.test_limit, derive_seed(options.seed, 3));
  return out;
}

}  // namespace poda
