#include "data/cifar10.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "data/data_error.h"

namespace poda {
namespace {

constexpr std::size_t kPixels = kCifar10RecordBytes - 1;

std::size_t record_count(const std::string& path, std::size_t records_per_file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::uintmax_t bytes = fs::file_size(path, ec);
  if (ec) throw DataError(fmt::format("{}: cannot read size: {}", path, ec.message()));
  if (bytes == 0) throw DataError(fmt::format("{}: empty file", path));
  if (bytes % kCifar10RecordBytes != 0)
    throw DataError(
        fmt::format("{}: size {} bytes is not a whole number of {}-byte records "
                    "({} records and {} bytes over): truncated or corrupt",
                    path, bytes, kCifar10RecordBytes, bytes / kCifar10RecordBytes,
                    bytes % kCifar10RecordBytes));
  const std::size_t records = static_cast<std::size_t>(bytes / kCifar10RecordBytes);
  if (records_per_file != 0 && records != records_per_file)
    throw DataError(
        fmt::format("{}: holds {} records, expected {}", path, records, records_per_file));
  return records;
}

// Appends `records` records of `path` to `set`, whose buffers are already sized.
void append_file(const std::string& path, std::size_t records, ImageSet& set,
                 std::vector<std::uint8_t>& buffer) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) throw DataError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  buffer.resize(records * kCifar10RecordBytes);
  if (std::fread(buffer.data(), 1, buffer.size(), file.get()) != buffer.size())
    throw DataError(fmt::format("{}: read failed after the size check", path));
  const std::size_t first = set.count;
  for (std::size_t r = 0; r < records; ++r) {
    const std::uint8_t* rec = buffer.data() + r * kCifar10RecordBytes;
    if (rec[0] >= set.num_classes)
      throw DataError(fmt::format("{}: record {}: label {} is out of range (expected < {})", path,
                                  r, rec[0], set.num_classes));
    set.labels[first + r] = rec[0];
    std::memcpy(set.pixels.data() + (first + r) * kPixels, rec + 1, kPixels);
  }
  set.count += records;
}

ImageSet load_files(const std::vector<std::string>& paths, std::size_t records_per_file) {
  std::vector<std::size_t> counts;
  std::size_t total = 0;
  for (const auto& p : paths) total += counts.emplace_back(record_count(p, records_per_file));
  ImageSet set;
  set.channels = 3;
  set.height = 32;
  set.width = 32;
  set.pixels.resize(total * kPixels);
  set.labels.resize(total);
  std::vector<std::uint8_t> buffer;
  for (std::size_t i = 0; i < paths.size(); ++i) append_file(paths[i], counts[i], set, buffer);
  return set;
}

}  // namespace

ImageSet read_cifar10_file(const std::string& path, std::size_t records_per_file) {
  if (!std::filesystem::is_regular_file(path))
    throw DataError(fmt::format("{}: no such file", path));
  return load_files({path}, records_per_file);
}

namespace {

// The split's files, each checked to be there.
std::vector<std::string> split_paths(const std::string& dir, bool train) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  if (train)
    for (int i = 1; i <= 5; ++i) names.push_back(fmt::format("data_batch_{}.bin", i));
  else
    names.push_back("test_batch.bin");
  std::vector<std::string> paths;
  for (const auto& name : names) {
    const std::string path = (fs::path(dir) / name).string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      throw DataError(fmt::format(
          "{}: missing {}: put the files of the CIFAR-10 binary version (data_batch_1.bin .. "
          "data_batch_5.bin, test_batch.bin) in this folder; see datasets/README.md",
          dir, name));
    paths.push_back(path);
  }
  return paths;
}

}  // namespace

ImageSet load_cifar10_split(const std::string& dir, bool train, std::size_t records_per_file) {
  return load_files(split_paths(dir, train), records_per_file);
}

std::size_t check_cifar10_split(const std::string& dir, bool train, std::size_t records_per_file) {
  std::size_t total = 0;
  for (const std::string& path : split_paths(dir, train))
    total += record_count(path, records_per_file);
  return total;
}

std::string default_cifar10_dir() {
  return "datasets/cifar-10-batches-bin";
}

}  // namespace poda
