#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "data/data_error.h"
#include "data/splits.h"
#include "data_files.h"

using namespace poda;
using namespace poda::testing;

namespace {

// The ids of numbered_set(n, 1, 2) samples, read back from their two pixels.
std::vector<std::size_t> ids(const ImageSet& s) {
  REQUIRE(s.pixels.size() == 2 * s.count);
  REQUIRE(s.labels.size() == s.count);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < s.count; ++i) {
    const std::size_t id = s.pixels[2 * i] + 256 * std::size_t(s.pixels[2 * i + 1]);
    CHECK(s.labels[i] == id % 10);  // labels travel with their images
    out.push_back(id);
  }
  return out;
}

}  // namespace

TEST_CASE("validation split partitions the training set") {
  SplitOptions opt;
  opt.val_fraction = 0.1;
  opt.seed = 3;
  const DataSplits s = make_splits(numbered_set(1000, 1, 2), numbered_set(50, 1, 2), opt);
  CHECK(s.train.count == 900);
  CHECK(s.val.count == 100);
  CHECK(s.test.count == 50);
  auto all = ids(s.train);
  const auto val = ids(s.val);
  all.insert(all.end(), val.begin(), val.end());
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < 1000; ++i) CHECK(all[i] == i);
  // A shuffle, not the tail: the held-out ids spread over the whole range.
  CHECK(*std::min_element(val.begin(), val.end()) < 100);
  CHECK(*std::max_element(val.begin(), val.end()) >= 900);
}

TEST_CASE("validation split is seeded") {
  SplitOptions opt;
  opt.val_count = 30;
  opt.seed = 11;
  const auto a = ids(make_splits(numbered_set(300, 1, 2), numbered_set(5, 1, 2), opt).val);
  CHECK(a.size() == 30);
  CHECK(ids(make_splits(numbered_set(300, 1, 2), numbered_set(5, 1, 2), opt).val) == a);
  opt.seed = 12;
  CHECK(ids(make_splits(numbered_set(300, 1, 2), numbered_set(5, 1, 2), opt).val) != a);
}

TEST_CASE("size limits take seeded subsets without touching the other sets") {
  SplitOptions opt;
  opt.val_count = 100;
  opt.seed = 4;
  const DataSplits full = make_splits(numbered_set(1000, 1, 2), numbered_set(500, 1, 2), opt);
  opt.train_limit = 50;
  opt.test_limit = 20;
  const DataSplits small = make_splits(numbered_set(1000, 1, 2), numbered_set(500, 1, 2), opt);
  CHECK(small.train.count == 50);
  CHECK(small.test.count == 20);
  CHECK(ids(small.val) == ids(full.val));
  const auto train_full = ids(full.train);
  for (std::size_t id : ids(small.train))
    CHECK(std::binary_search(train_full.begin(), train_full.end(), id));
  const auto test_ids = ids(small.test);
  CHECK(std::set<std::size_t>(test_ids.begin(), test_ids.end()).size() == 20);
  CHECK(test_ids.back() > 19);  // a random subset, not the first 20
  CHECK(ids(make_splits(numbered_set(1000, 1, 2), numbered_set(500, 1, 2), opt).train) ==
        ids(small.train));
  opt.train_limit = 5000;  // larger than the set: everything
  CHECK(make_splits(numbered_set(1000, 1, 2), numbered_set(500, 1, 2), opt).train.count == 900);
}

TEST_CASE("split options are validated") {
  SplitOptions opt;
  opt.val_fraction = 1.0;
  CHECK_THROWS_WITH_AS(make_splits(numbered_set(10, 1, 2), numbered_set(1, 1, 2), opt),
                       "make_splits: val_fraction 1 is outside [0, 1)", DataError);
  opt.val_fraction = 0.0;
  opt.val_count = 10;
  CHECK_THROWS_WITH_AS(make_splits(numbered_set(10, 1, 2), numbered_set(1, 1, 2), opt),
                       "make_splits: a validation set of 10 leaves no training data out of 10 "
                       "samples",
                       DataError);
  opt.val_count = 0;
  CHECK(make_splits(numbered_set(10, 1, 2), numbered_set(1, 1, 2), opt).val.count == 0);
}
