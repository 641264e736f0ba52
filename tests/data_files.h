#pragma once
// Helpers for the data tests: a scratch folder and writers of idx / CIFAR-10 files in the
// exact on-disk formats, plain or gzipped.
#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "data/data_error.h"

namespace poda::testing {

using Bytes = std::vector<std::uint8_t>;

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("poda_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

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
