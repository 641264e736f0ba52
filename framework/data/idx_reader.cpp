#include "data/idx_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <zlib.h>

#include "data/data_error.h"

namespace poda {
namespace {

constexpr std::uint32_t kLabelMagic = 0x00000801;
constexpr std::uint32_t kImageMagic = 0x00000803;
// Far beyond any real idx file; a header above this is corrupt, and refusing it early
// avoids trying to read terabytes.
constexpr std::uint64_t kMaxBytes = std::uint64_t(1) << 36;

// Owns a gzFile. gzread passes plain (non-gzip) files through unchanged, so one code path
// reads both spellings.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    file_ = gzopen(path.c_str(), "rb");
    if (!file_)
      throw DataError(
          fmt::format("{}: cannot open: {}", path, errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(file_, 1 << 17);
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to n bytes and returns how many came; fewer means end of data.
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const unsigned want = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
      const int got = gzread(file_, dst + done, want);
      if (got < 0) {
        int code = 0;
        std::string msg = gzerror(file_, &code);
        // zlib prefixes the message with the path it was opened with; we add our own.
        if (msg.rfind(path_ + ": ", 0) == 0) msg.erase(0, path_.size() + 2);
        throw DataError(fmt::format("{}: corrupt gzip data: {}", path_, msg));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

  // zlib reports a gzip stream cut short as Z_BUF_ERROR rather than as a failed read.
  bool stream_cut_short() {
    int code = Z_OK;
    gzerror(file_, &code);
    return code == Z_BUF_ERROR;
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian32(const std::uint8_t* b) {
  return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) |
         std::uint32_t(b[3]);
}

std::string open_path(const std::string& path) {
  const std::string found = find_idx_file(path);
  if (found.empty()) {
    const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    const std::string twin = gz ? path.substr(0, path.size() - 3) : path + ".gz";
    throw DataError(fmt::format("{}: no such file (nor {})", path, twin));
  }
  return found;
}

// Reads the magic and the dimension sizes; `kind` names the expected content for messages.
std::vector<std::size_t> read_header(GzReader& in, const std::string& path, std::uint32_t magic,
                                     const char* kind) {
  std::uint8_t head[4];
  const std::size_t got = in.read(head, 4);
  if (got < 4)
    throw DataError(fmt::format("{}: too short for an idx header ({} bytes)", path, got));
  const std::uint32_t found = big_endian32(head);
  if (found != magic) {
    std::string hint;
    if (found == kLabelMagic) hint = " (this is an idx1 label file)";
    if (found == kImageMagic) hint = " (this is an idx3 image file)";
    throw DataError(fmt::format("{}: bad magic number 0x{:08x}, expected 0x{:08x} ({}){}", path,
                                found, magic, kind, hint));
  }
  const std::size_t ndims = magic & 0xff;
  std::vector<std::uint8_t> raw(4 * ndims);
  const std::size_t have = in.read(raw.data(), raw.size());
  if (have < raw.size())
    throw DataError(
        fmt::format("{}: truncated header: {} dimension sizes need {} bytes, "
                    "only {} follow the magic number",
                    path, ndims, raw.size(), have));
  std::vector<std::size_t> dims(ndims);
  for (std::size_t i = 0; i < ndims; ++i) dims[i] = big_endian32(raw.data() + 4 * i);
  return dims;
}

// Reads exactly `expected` bytes and checks nothing follows. The buffer grows as data
// arrives, so a header that lies about its size cannot force a huge allocation.
std::vector<std::uint8_t> read_body(GzReader& in, const std::string& path, std::size_t expected,
                                    const std::string& declared) {
  std::vector<std::uint8_t> data;
  std::size_t have = 0;
  while (have < expected) {
    const std::size_t target = std::min(expected, have + std::max<std::size_t>(have, 1 << 20));
    data.resize(target);
    const std::size_t got = in.read(data.data() + have, target - have);
    have += got;
    if (have < target) {
      throw DataError(fmt::format("{}: truncated: header declares {} but only {} bytes follow{}",
                                  path, declared, have,
                                  in.stream_cut_short() ? " (the gzip stream ends early)" : ""));
    }
  }
  std::size_t extra = 0;
  std::uint8_t scratch[4096];
  for (std::size_t got; (got = in.read(scratch, sizeof scratch)) > 0;) extra += got;
  if (extra > 0)
    throw DataError(
        fmt::format("{}: trailing data: header declares {} but {} bytes follow "
                    "({} too many)",
                    path, declared, expected + extra, extra));
  return data;
}

}  // namespace

std::string find_idx_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return path;
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  const std::string twin = gz ? path.substr(0, path.size() - 3) : path + ".gz";
  if (fs::is_regular_file(twin, ec)) return twin;
  return "";
}

namespace {

// An image file's header (pixels left empty), checked as read_idx_images does, with the
// byte count it declares and how messages describe it.
struct ImageHeader {
  IdxImages images;
  std::uint64_t bytes = 0;
  std::string declared;
};

ImageHeader image_header(GzReader& in, const std::string& path) {
  const auto dims = read_header(in, path, kImageMagic, "idx3-ubyte images");
  ImageHeader h;
  IdxImages& out = h.images;
  out.count = dims[0];
  out.rows = dims[1];
  out.cols = dims[2];
  if (out.count == 0 || out.rows == 0 || out.cols == 0)
    throw DataError(fmt::format("{}: bad dimensions: header declares {} images of {}x{}", path,
                                out.count, out.rows, out.cols));
  h.bytes = std::uint64_t(out.count) * out.rows * out.cols;
  h.declared = fmt::format("{} images of {}x{} ({} bytes)", out.count, out.rows, out.cols, h.bytes);
  if (h.bytes > kMaxBytes)
    throw DataError(fmt::format("{}: corrupt header: declares {}, more than any idx file holds",
                                path, h.declared));
  return h;
}

std::size_t label_count(GzReader& in, const std::string& path) {
  const std::size_t count = read_header(in, path, kLabelMagic, "idx1-ubyte labels")[0];
  if (count == 0)
    throw DataError(fmt::format("{}: bad dimensions: header declares 0 labels", path));
  return count;
}

}  // namespace

namespace {

// A plain (not gzipped) file's size against its header, from the file system alone: what
// read_body would find, with its messages. A gzipped file's size says nothing of its data.
void check_plain_size(const std::string& path, std::uint64_t header_bytes, std::uint64_t body,
                      const std::string& declared) {
  unsigned char magic[2] = {0, 0};
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    const std::size_t got = std::fread(magic, 1, 2, f);
    std::fclose(f);
    if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) return;
  }
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size < header_bytes) return;  // the header read has said what is wrong
  const std::uint64_t have = size - header_bytes;
  if (have < body)
    throw DataError(fmt::format("{}: truncated: header declares {} but only {} bytes follow", path,
                                declared, have));
  if (have > body)
    throw DataError(
        fmt::format("{}: trailing data: header declares {} but {} bytes follow "
                    "({} too many)",
                    path, declared, have, have - body));
}

}  // namespace

IdxImages read_idx_image_header(const std::string& requested) {
  const std::string path = open_path(requested);
  GzReader in(path);
  ImageHeader h = image_header(in, path);
  check_plain_size(path, 16, h.bytes, h.declared);
  return h.images;
}

std::size_t read_idx_label_count(const std::string& requested) {
  const std::string path = open_path(requested);
  GzReader in(path);
  const std::size_t count = label_count(in, path);
  check_plain_size(path, 8, count, fmt::format("{} labels ({} bytes)", count, count));
  return count;
}

IdxImages read_idx_images(const std::string& requested) {
  const std::string path = open_path(requested);
  GzReader in(path);
  ImageHeader h = image_header(in, path);
  h.images.pixels = read_body(in, path, static_cast<std::size_t>(h.bytes), h.declared);
  return std::move(h.images);
}

std::vector<std::uint8_t> read_idx_labels(const std::string& requested, std::size_t num_classes) {
  const std::string path = open_path(requested);
  GzReader in(path);
  const std::size_t count = label_count(in, path);
  const std::string declared = fmt::format("{} labels ({} bytes)", count, count);
  auto labels = read_body(in, path, count, declared);
  for (std::size_t i = 0; i < count; ++i)
    if (labels[i] >= num_classes)
      throw DataError(fmt::format("{}: label {} at index {} is out of range (expected < {})", path,
                                  labels[i], i, num_classes));
  return labels;
}

}  // namespace poda
