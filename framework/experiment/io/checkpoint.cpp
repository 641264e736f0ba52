#include "experiment/io/checkpoint.h"

#include <cstring>
#include <limits>
#include <set>

#include "experiment/io/atomic_file.h"
#include "experiment/io/checksum.h"

namespace poda {
namespace {

constexpr char kMagic[8] = {'P', 'O', 'D', 'A', 'C', 'K', 'P', 'T'};
constexpr std::size_t kHeaderSize = sizeof(kMagic) + 4;
constexpr std::size_t kCrcSize = 4;

// ---- writing ----

void put_u8(std::string& out, std::uint8_t v) {
  out.push_back(static_cast<char>(v));
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_string(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

void put_floats(std::string& out, const float* data, std::size_t count) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  out.append(reinterpret_cast<const char*>(data), count * sizeof(float));
#else
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, data + i, 4);
    put_u32(out, bits);
  }
#endif
}

// ---- reading: every read checks the bytes that remain before the CRC ----

class Reader {
 public:
  Reader(const std::string& bytes, std::size_t begin, std::size_t end, const std::string& source)
      : bytes_(bytes), pos_(begin), end_(end), source_(source) {}

  std::size_t remaining() const { return end_ - pos_; }
  std::size_t position() const { return pos_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError("checkpoint '" + source_ + "': " + what + " (at byte " +
                          std::to_string(pos_) + ")");
  }

  void need(std::size_t n, const std::string& what) const {
    if (n > remaining())
      fail("truncated or corrupted: " + what + " needs " + std::to_string(n) + " bytes but only " +
           std::to_string(remaining()) + " remain before the checksum");
  }

  std::uint64_t le(int width, const std::string& what) {
    need(width, what);
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i)
      v |= std::uint64_t(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += width;
    return v;
  }

  std::string string(const std::string& what) {
    std::uint64_t n = le(8, what + " length");
    need(n, what);  // bounded by the file, so a corrupted length never allocates
    std::string s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }

  void floats(float* out, std::size_t count, const std::string& what) {
    need(count * sizeof(float), what);  // caller guarantees count * 4 does not overflow
    if (count == 0) return;             // a tensor with a zero dimension: `out` may be null
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    std::memcpy(out, bytes_.data() + pos_, count * sizeof(float));
    pos_ += count * sizeof(float);
#else
    for (std::size_t i = 0; i < count; ++i) {
      std::uint32_t bits = static_cast<std::uint32_t>(le(4, what));
      std::memcpy(out + i, &bits, 4);
    }
#endif
  }

 private:
  const std::string& bytes_;
  std::size_t pos_;
  std::size_t end_;
  const std::string& source_;
};

// No tensor has more than 2^48 values; a corrupted shape such as (0, 2^54, 2^55) holds no
// values, so it passes the size check, but xtensor's strides (products of the trailing
// dimensions) would overflow.
constexpr std::uint64_t kMaxExtent = std::uint64_t{1} << 48;

Array read_array(Reader& in, const Shape& shape, const std::string& what) {
  std::uint64_t extent = 1;  // the product of the non-zero dimensions
  for (const std::size_t d : shape) {
    if (d == 0) continue;
    if (d > kMaxExtent / extent)
      in.fail("corrupted: " + what + " has dimensions whose product exceeds 2^48");
    extent *= d;
  }
  Array a = empty_array(shape);
  in.floats(a.data(), a.size(), what);
  return a;
}

}  // namespace

std::string serialize_checkpoint(const Checkpoint& checkpoint, const std::string& source_name) {
  std::set<std::string> names;
  std::size_t total = kHeaderSize + kCrcSize;
  for (const auto& e : checkpoint.entries) {
    if (e.name.empty())
      throw CheckpointError("checkpoint '" + source_name + "': an entry has an empty name");
    if (!names.insert(e.name).second)
      throw CheckpointError("checkpoint '" + source_name + "': entry '" + e.name +
                            "' appears twice");
    if (e.mask && to_shape(e.mask->shape()) != to_shape(e.value.shape()))
      throw CheckpointError("checkpoint '" + source_name + "': mask of '" + e.name +
                            "' has shape " + shape_str(to_shape(e.mask->shape())) +
                            ", its value has " + shape_str(to_shape(e.value.shape())));
    total += e.name.size() + 64 + e.value.size() * 4 * (e.mask ? 2 : 1);
  }

  std::string out;
  out.reserve(total);
  out.append(kMagic, sizeof(kMagic));
  put_u32(out, kCheckpointVersion);
  put_u64(out, checkpoint.metadata.size());
  for (const auto& [key, value] : checkpoint.metadata) {
    put_string(out, key);
    put_string(out, value);
  }
  put_u64(out, checkpoint.entries.size());
  for (const auto& e : checkpoint.entries) {
    put_string(out, e.name);
    put_u32(out, static_cast<std::uint32_t>(e.value.dimension()));
    for (std::size_t d : e.value.shape()) put_u64(out, d);
    put_u8(out, e.mask ? 1 : 0);
    // xt::xarray<float> is row-major and contiguous, so data() is the whole tensor.
    put_floats(out, e.value.data(), e.value.size());
    if (e.mask) put_floats(out, e.mask->data(), e.mask->size());
  }
  put_u32(out, crc32_of(out.data() + kHeaderSize, out.size() - kHeaderSize));
  return out;
}

namespace {

void read_metadata(Reader& in, Checkpoint& ck) {
  std::uint64_t meta_count = in.le(8, "metadata count");
  // Each item takes at least 16 bytes of lengths.
  if (meta_count > in.remaining() / 16)
    in.fail("truncated or corrupted: metadata count " + std::to_string(meta_count) +
            " is larger than the file allows");
  for (std::uint64_t i = 0; i < meta_count; ++i) {
    std::string key = in.string("metadata key");
    std::string value = in.string("metadata value of '" + key + "'");
    if (!ck.metadata.emplace(key, std::move(value)).second)
      in.fail("corrupted: metadata key '" + key + "' appears twice");
  }
}

Shape read_shape(Reader& in, const std::string& name) {
  std::uint64_t rank = in.le(4, "rank of '" + name + "'");
  if (rank > in.remaining() / 8)
    in.fail("truncated or corrupted: rank " + std::to_string(rank) + " of '" + name +
            "' is larger than the file allows");
  Shape shape(rank);
  std::uint64_t numel = 1;
  const std::uint64_t max_floats = in.remaining() / sizeof(float);
  for (auto& d : shape) {
    std::uint64_t dim = in.le(8, "dimensions of '" + name + "'");
    // Multiply only while the product stays within what the file can hold.
    if (dim != 0 && numel > max_floats / dim)
      numel = max_floats + 1;
    else
      numel *= dim;
    d = static_cast<std::size_t>(dim);
  }
  if (numel > max_floats)
    in.fail("truncated or corrupted: '" + name + "' has shape " + shape_str(shape) +
            ", more values than the file holds");
  return shape;
}

CheckpointEntry read_entry(Reader& in, std::uint64_t index, std::set<std::string>& names) {
  CheckpointEntry e;
  e.name = in.string("name of entry " + std::to_string(index));
  if (e.name.empty()) in.fail("corrupted: entry " + std::to_string(index) + " has an empty name");
  if (!names.insert(e.name).second) in.fail("corrupted: entry '" + e.name + "' appears twice");
  const Shape shape = read_shape(in, e.name);
  std::uint64_t has_mask = in.le(1, "mask flag of '" + e.name + "'");
  if (has_mask > 1)
    in.fail("corrupted: mask flag of '" + e.name + "' is " + std::to_string(has_mask) +
            ", expected 0 or 1");
  e.value = read_array(in, shape, "values of '" + e.name + "' " + shape_str(shape));
  if (has_mask) e.mask = read_array(in, shape, "mask of '" + e.name + "' " + shape_str(shape));
  return e;
}

}  // namespace

Checkpoint deserialize_checkpoint(const std::string& bytes, const std::string& source_name) {
  auto fail = [&](const std::string& what) -> CheckpointError {
    return CheckpointError("checkpoint '" + source_name + "': " + what);
  };
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw fail("not a poda checkpoint (the file does not start with \"PODACKPT\")");
  if (bytes.size() < kHeaderSize + kCrcSize)
    throw fail("truncated: " + std::to_string(bytes.size()) +
               " bytes is shorter than the smallest checkpoint");
  std::uint32_t version = 0;
  for (int i = 0; i < 4; ++i)
    version |= std::uint32_t(static_cast<unsigned char>(bytes[sizeof(kMagic) + i])) << (8 * i);
  if (version == 0) throw fail("invalid format version 0");
  if (version > kCheckpointVersion)
    throw fail("format version " + std::to_string(version) +
               " was written by a newer poda; this build reads up to version " +
               std::to_string(kCheckpointVersion));

  const std::size_t body_end = bytes.size() - kCrcSize;
  Reader in(bytes, kHeaderSize, body_end, source_name);
  Checkpoint ck;

  read_metadata(in, ck);
  std::uint64_t entry_count = in.le(8, "entry count");
  // Each entry takes at least 8 (name length) + 4 (rank) + 1 (mask flag) bytes.
  if (entry_count > in.remaining() / 13)
    in.fail("truncated or corrupted: entry count " + std::to_string(entry_count) +
            " is larger than the file allows");
  ck.entries.reserve(entry_count);
  std::set<std::string> names;
  for (std::uint64_t i = 0; i < entry_count; ++i) ck.entries.push_back(read_entry(in, i, names));
  if (in.remaining() != 0)
    in.fail("corrupted: " + std::to_string(in.remaining()) +
            " unexpected bytes after the last entry");

  std::uint32_t stored = 0;
  for (int i = 0; i < 4; ++i)
    stored |= std::uint32_t(static_cast<unsigned char>(bytes[body_end + i])) << (8 * i);
  std::uint32_t actual = crc32_of(bytes.data() + kHeaderSize, body_end - kHeaderSize);
  if (stored != actual)
    throw fail("corrupted: CRC-32 mismatch (stored " + std::to_string(stored) + ", computed " +
               std::to_string(actual) + ")");
  return ck;
}

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  std::string bytes = serialize_checkpoint(checkpoint, path);
  try {
    write_file_atomically(path, bytes);
  } catch (const FileWriteError& e) {
    throw CheckpointError(std::string("cannot save checkpoint: ") + e.what());
  }
}

Checkpoint load_checkpoint(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const FileWriteError& e) {
    throw CheckpointError(std::string("cannot load checkpoint: ") + e.what());
  }
  return deserialize_checkpoint(bytes, path);
}

const CheckpointEntry* find_entry(const Checkpoint& checkpoint, const std::string& name) {
  for (const auto& e : checkpoint.entries)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace poda
