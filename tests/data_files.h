#pragma once
// Helpers for the data tests: hand-made image sets, and writers of idx / CIFAR-10 files in
// the exact on-disk formats, plain or gzipped. The scratch folder is poda_test::TempDir
// (temp_dir.h).
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "data/data_error.h"
#include "data/image_set.h"
#include "temp_dir.h"

namespace poda::testing {

using Bytes = std::vector<std::uint8_t>;

using poda_test::TempDir;

// `count` images of (channels, height, width) holding `pixels` (channel-major) and `labels`.
inline ImageSet image_set(std::size_t count, std::size_t channels, std::size_t height,
                          std::size_t width, Bytes pixels = {}, Bytes labels = {}) {
  ImageSet s;
  s.count = count;
  s.channels = channels;
  s.height = height;
  s.width = width;
  s.pixels = std::move(pixels);
  s.labels = std::move(labels);
  return s;
}

// n single-channel images of height x width (at least 2 pixels) whose first two pixels spell
// the sample's id, id % 256 then id / 256, the rest 0; label = id % 10. Tests read the id back
// to follow samples through shuffles and splits.
inline ImageSet numbered_set(std::size_t n, std::size_t height, std::size_t width) {
  ImageSet s = image_set(n, 1, height, width);
  for (std::size_t i = 0; i < n; ++i) {
    s.pixels.push_back(std::uint8_t(i % 256));
    s.pixels.push_back(std::uint8_t(i / 256));
    s.pixels.insert(s.pixels.end(), height * width - 2, 0);
    s.labels.push_back(std::uint8_t(i % 10));
  }
  return s;
}

inline void put_be32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

// count images of rows x cols; pixel k of image i is (i * 7 + k) % 256.
inline Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  Bytes b;
  put_be32(b, 0x00000803);
  put_be32(b, count);
  put_be32(b, rows);
  put_be32(b, cols);
  for (std::uint32_t i = 0; i < count; ++i)
    for (std::uint32_t k = 0; k < rows * cols; ++k)
      b.push_back(static_cast<std::uint8_t>((i * 7 + k) % 256));
  return b;
}

inline Bytes idx_labels(const Bytes& labels) {
  Bytes b;
  put_be32(b, 0x00000801);
  put_be32(b, static_cast<std::uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

inline void write_file(const std::string& path, const Bytes& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  if (!out) throw std::runtime_error(path + ": cannot write test file");
}

inline void write_gz(const std::string& path, const Bytes& b) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error(path + ": cannot open test file");
  if (!b.empty() && gzwrite(f, b.data(), unsigned(b.size())) != int(b.size()))
    throw std::runtime_error(path + ": cannot write test file");
  gzclose(f);
}

// `records` CIFAR records; record r has label labels[r] and pixel k = (r + k) % 256.
inline Bytes cifar_records(const Bytes& labels) {
  Bytes b;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    b.push_back(labels[r]);
    for (std::size_t k = 0; k < 3072; ++k) b.push_back(static_cast<std::uint8_t>((r + k) % 256));
  }
  return b;
}

// The DataError message of f(), or "" if it did not throw.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace poda::testing
