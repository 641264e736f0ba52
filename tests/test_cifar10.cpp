#include <doctest/doctest.h>

#include <string>

#include "data/cifar10.h"
#include "data/data_error.h"
#include "data_files.h"

using namespace poda;
using namespace poda::testing;

namespace {

// A CIFAR-10 folder with `per_file` records per file; file f, record r has label (f + r) % 10.
void write_cifar_folder(const TempDir& dir, std::size_t per_file) {
  for (int f = 1; f <= 6; ++f) {
    Bytes labels;
    for (std::size_t r = 0; r < per_file; ++r) labels.push_back(std::uint8_t((f + r) % 10));
    const std::string name = f <= 5 ? "data_batch_" + std::to_string(f) + ".bin" : "test_batch.bin";
    write_file(dir.file(name), cifar_records(labels));
  }
}

}  // namespace

TEST_CASE("CIFAR-10 loader reads the binary format channel-major") {
  TempDir dir;
  write_cifar_folder(dir, 3);
  const ImageSet train = load_cifar10_split(dir.str(), true, 3);
  CHECK(train.count == 15);
  CHECK(train.channels == 3);
  CHECK(train.height == 32);
  CHECK(train.width == 32);
  REQUIRE(train.pixels.size() == 15u * 3072u);
  // Sample 4 is file 2, record 1: label 3, pixel k = (1 + k) % 256.
  CHECK(train.labels[4] == 3);
  const std::uint8_t* s4 = train.pixels.data() + 4 * 3072;
  CHECK(s4[0] == 1);                              // R plane, (0, 0)
  CHECK(s4[1024 + 33] == (1 + 1024 + 33) % 256);  // G plane, (1, 1)
  CHECK(s4[3071] == (1 + 3071) % 256);            // B plane, (31, 31)
  const ImageSet test = load_cifar10_split(dir.str(), false, 3);
  CHECK(test.count == 3);
  CHECK(test.labels == Bytes{6, 7, 8});
  // 0 accepts any whole number of records.
  CHECK(load_cifar10_split(dir.str(), false, 0).count == 3);
}

TEST_CASE("CIFAR-10 loader rejects bad files naming the file and record") {
  TempDir dir;
  write_cifar_folder(dir, 2);
  const std::string f1 = dir.file("data_batch_1.bin");

  SUBCASE("missing file names the folder and the expected files") {
    std::filesystem::remove(dir.file("data_batch_4.bin"));
    const auto msg = error_of([&] { load_cifar10_split(dir.str(), true, 2); });
    CHECK(contains(msg, dir.str() + ": missing data_batch_4.bin"));
    CHECK(contains(msg, "test_batch.bin"));
    CHECK(contains(msg, "datasets/README.md"));
  }
  SUBCASE("truncated record") {
    Bytes b = cifar_records({1, 2});
    b.resize(b.size() - 5);
    write_file(f1, b);
    CHECK(contains(error_of([&] { load_cifar10_split(dir.str(), true, 0); }),
                   f1 + ": size 6141 bytes is not a whole number of 3073-byte records "
                        "(1 records and 3068 bytes over)"));
  }
  SUBCASE("trailing bytes") {
    Bytes b = cifar_records({1, 2});
    b.push_back(0);
    write_file(f1, b);
    CHECK(contains(error_of([&] { read_cifar10_file(f1, 0); }), f1 + ": size 6147 bytes"));
  }
  SUBCASE("wrong record count") {
    CHECK(contains(error_of([&] { load_cifar10_split(dir.str(), true); }),
                   f1 + ": holds 2 records, expected 10000"));
  }
  SUBCASE("label out of range") {
    write_file(f1, cifar_records({1, 10}));
    CHECK(contains(error_of([&] { load_cifar10_split(dir.str(), true, 2); }),
                   f1 + ": record 1: label 10 is out of range (expected < 10)"));
  }
  SUBCASE("empty file") {
    write_file(f1, {});
    CHECK(contains(error_of([&] { read_cifar10_file(f1, 0); }), f1 + ": empty file"));
  }
  SUBCASE("missing single file") {
    CHECK(contains(error_of([&] { read_cifar10_file(dir.file("nope.bin")); }),
                   "nope.bin: no such file"));
  }
}
