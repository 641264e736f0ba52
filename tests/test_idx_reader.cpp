#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "data/data_error.h"
#include "data/idx_reader.h"
#include "data/mnist.h"
#include "data/normalization.h"
#include "data_files.h"
#include "skip.h"

using namespace poda;
using namespace poda::testing;

TEST_CASE("idx reader reads plain and gzipped images and labels") {
  TempDir dir;
  const Bytes images = idx_images(3, 4, 5);
  const Bytes labels = idx_labels({0, 9, 4});
  for (bool gz : {false, true}) {
    CAPTURE(gz);
    const std::string ip = dir.file(gz ? "img.gz" : "img");
    const std::string lp = dir.file(gz ? "lab.gz" : "lab");
    if (gz) {
      write_gz(ip, images);
      write_gz(lp, labels);
    } else {
      write_file(ip, images);
      write_file(lp, labels);
    }
    const IdxImages read = read_idx_images(ip);
    CHECK(read.count == 3);
    CHECK(read.rows == 4);
    CHECK(read.cols == 5);
    REQUIRE(read.pixels.size() == 60);
    CHECK(read.pixels[0] == 0);
    CHECK(read.pixels[19] == 19);
    CHECK(read.pixels[20] == 7);        // image 1, pixel 0
    CHECK(read.pixels[59] == 14 + 19);  // image 2, pixel 19
    CHECK(read_idx_labels(lp) == Bytes{0, 9, 4});
  }
}

TEST_CASE("idx reader finds the other spelling of a name") {
  TempDir dir;
  write_gz(dir.file("a.gz"), idx_labels({1, 2}));
  write_file(dir.file("b"), idx_labels({3}));
  CHECK(read_idx_labels(dir.file("a")) == Bytes{1, 2});
  CHECK(read_idx_labels(dir.file("b.gz")) == Bytes{3});
  CHECK(find_idx_file(dir.file("c")).empty());
  // A gzipped file without the .gz suffix is still read: the format is detected, not named.
  write_gz(dir.file("d"), idx_labels({5}));
  CHECK(read_idx_labels(dir.file("d")) == Bytes{5});
}

TEST_CASE("idx reader rejects bad headers with a message naming the file") {
  TempDir dir;
  const std::string p = dir.file("train-images-idx3-ubyte");
  const std::string l = dir.file("train-labels-idx1-ubyte");

  SUBCASE("missing file") {
    const auto msg = error_of([&] { read_idx_images(p); });
    CHECK(contains(msg, p + ": no such file"));
    CHECK(contains(msg, p + ".gz"));
  }
  SUBCASE("bad magic: labels read as images") {
    write_file(p, idx_labels({1}));
    const auto msg = error_of([&] { read_idx_images(p); });
    CHECK(contains(msg, p + ": bad magic number 0x00000801, expected 0x00000803"));
    CHECK(contains(msg, "idx1 label file"));
  }
  SUBCASE("bad magic: garbage") {
    write_file(p, Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', 0, 0, 0, 0});
    CHECK(contains(error_of([&] { read_idx_images(p); }), p + ": bad magic number 0x68656c6c"));
  }
  SUBCASE("too short for a header") {
    write_file(p, Bytes{0, 0, 8});
    CHECK(contains(error_of([&] { read_idx_images(p); }), p + ": too short for an idx header"));
  }
  SUBCASE("header cut inside the dimensions") {
    Bytes b = idx_images(1, 2, 2);
    b.resize(9);
    write_file(p, b);
    CHECK(contains(error_of([&] { read_idx_images(p); }), p + ": truncated header"));
  }
  SUBCASE("zero dimension") {
    write_file(p, idx_images(2, 0, 28));
    CHECK(contains(error_of([&] { read_idx_images(p); }),
                   p + ": bad dimensions: header declares 2 images of 0x28"));
  }
  SUBCASE("absurd dimensions") {
    Bytes b;
    put_be32(b, 0x803);
    put_be32(b, 0xffffffffu);
    put_be32(b, 28);
    put_be32(b, 28);
    write_file(p, b);
    CHECK(contains(error_of([&] { read_idx_images(p); }), p + ": corrupt header"));
  }
}

TEST_CASE("idx reader rejects bad data with a message naming the file") {
  TempDir dir;
  const std::string p = dir.file("train-images-idx3-ubyte");
  const std::string l = dir.file("train-labels-idx1-ubyte");

  SUBCASE("truncated data, plain and gzipped") {
    Bytes b = idx_images(10, 28, 28);
    b.resize(16 + 1000);
    write_file(p, b);
    CHECK(contains(error_of([&] { read_idx_images(p); }),
                   p + ": truncated: header declares 10 images of 28x28 (7840 bytes) but only "
                       "1000 bytes follow"));
    write_gz(p + "x.gz", b);
    CHECK(contains(error_of([&] { read_idx_images(p + "x.gz"); }),
                   p + "x.gz: truncated: header declares 10 images of 28x28"));
  }
  SUBCASE("gzip stream cut short") {
    const std::string gz = dir.file("cut.gz");
    write_gz(gz, idx_images(50, 28, 28));
    const auto size = std::filesystem::file_size(gz);
    std::filesystem::resize_file(gz, size / 2);
    const auto msg = error_of([&] { read_idx_images(gz); });
    CHECK(contains(msg, gz + ": "));
    CHECK((contains(msg, "truncated") || contains(msg, "corrupt gzip")));
  }
  SUBCASE("corrupt gzip data: checksum") {
    const std::string gz = dir.file("bad.gz");
    write_gz(gz, idx_images(50, 28, 28));
    // The gzip trailer is CRC-32 then the length; flip a CRC byte.
    std::fstream f(gz, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-6, std::ios::end);
    const char c = static_cast<char>(f.get() ^ 0xff);
    f.seekp(-6, std::ios::end);
    f.put(c);
    f.close();
    CHECK(error_of([&] { read_idx_images(gz); }) ==
          gz + ": corrupt gzip data: incorrect data check");
  }
  SUBCASE("trailing bytes") {
    Bytes b = idx_images(2, 3, 3);
    b.push_back(42);
    b.push_back(43);
    write_file(p, b);
    CHECK(contains(error_of([&] { read_idx_images(p); }),
                   p + ": trailing data: header declares 2 images of 3x3 (18 bytes) but 20 "
                       "bytes follow (2 too many)"));
    Bytes c = idx_labels({1, 2});
    c.push_back(3);
    write_gz(l + ".gz", c);
    CHECK(contains(error_of([&] { read_idx_labels(l); }), l + ".gz: trailing data"));
  }
  SUBCASE("label out of range") {
    write_file(l, idx_labels({1, 10, 2}));
    CHECK(contains(error_of([&] { read_idx_labels(l); }),
                   l + ": label 10 at index 1 is out of range (expected < 10)"));
    CHECK(read_idx_labels(l, 11) == Bytes{1, 10, 2});
  }
}

TEST_CASE("MNIST folder loader pairs images with labels and explains missing files") {
  TempDir dir;
  write_gz(dir.file("train-images-idx3-ubyte.gz"), idx_images(4, 28, 28));
  write_gz(dir.file("train-labels-idx1-ubyte.gz"), idx_labels({1, 2, 3, 4}));
  write_file(dir.file("t10k-images-idx3-ubyte"), idx_images(2, 28, 28));
  write_file(dir.file("t10k-labels-idx1-ubyte"), idx_labels({5, 6, 7}));

  const ImageSet train = load_mnist_split(dir.str(), true);
  CHECK(train.count == 4);
  CHECK(train.channels == 1);
  CHECK(train.height == 28);
  CHECK(train.width == 28);
  CHECK(train.pixels.size() == 4 * 784);
  CHECK(train.labels == Bytes{1, 2, 3, 4});

  const auto mismatch = error_of([&] { load_mnist_split(dir.str(), false); });
  CHECK(contains(mismatch, "t10k-images-idx3-ubyte: holds 2 images but"));
  CHECK(contains(mismatch, "holds 3 labels"));

  TempDir empty;
  const auto missing = error_of([&] { load_mnist_split(empty.str(), true); });
  CHECK(contains(missing, empty.str() + ": folder has no train-images-idx3-ubyte[.gz]"));
  CHECK(contains(missing, "t10k-labels-idx1-ubyte"));

  const auto fashion = error_of([&] { load_mnist_split(empty.str() + "/fashion-mnist", true); });
  CHECK(contains(fashion, "does not exist"));
  CHECK(contains(fashion, "dataset-fashion-mnist"));
}

TEST_CASE("the real Fashion-MNIST from dataset-fashion-mnist loads") {
  const std::string dir = default_fashion_mnist_dir();
  if (!std::filesystem::is_directory(dir))
    PODA_SKIP_TEST(dir + " is absent (install the package dataset-fashion-mnist)");
  const ImageSet train = load_mnist_split(dir, true);
  const ImageSet test = load_mnist_split(dir, false);
  CHECK(train.count == 60000);
  CHECK(test.count == 10000);
  CHECK(train.height == 28);
  CHECK(train.width == 28);
  CHECK(test.pixels.size() == 10000u * 784u);
  // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
  std::size_t per_class[10] = {};
  for (auto label : train.labels) ++per_class[label];
  for (std::size_t c = 0; c < 10; ++c) CHECK(per_class[c] == 6000);
  std::size_t test_class0 = 0;
  for (auto label : test.labels) test_class0 += label == 0;
  CHECK(test_class0 == 1000);
  // The widely quoted statistics of the training images (torchvision users' 0.2860, 0.3530).
  const Normalization norm = compute_normalization(train);
  CHECK(norm.mean[0] == doctest::Approx(0.2860).epsilon(1e-3));
  CHECK(norm.std[0] == doctest::Approx(0.3530).epsilon(1e-3));
}
