// libFuzzer target: the checkpoint reader. The CRC-32 is checked last, so a mutated input
// would almost always stop there: the target rewrites the last four bytes with the CRC of
// the body first, so the fuzzer explores the parser itself. A CheckpointError is the
// expected answer to a bad file; anything else is a finding, and so is a checkpoint that
// does not survive a save and a reload unchanged.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include <zlib.h>

#include "experiment/io/checkpoint.h"

namespace {

constexpr std::size_t kHeader = 12;  // "PODACKPT" + u32 version
constexpr std::size_t kCrc = 4;

std::string with_valid_crc(std::string bytes) {
  if (bytes.size() < kHeader + kCrc) return bytes;
  const std::size_t body = bytes.size() - kHeader - kCrc;
  const auto crc = static_cast<std::uint32_t>(
      ::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data() + kHeader),
              static_cast<uInt>(body)));
  for (int i = 0; i < 4; ++i)
    bytes[bytes.size() - kCrc + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string raw(reinterpret_cast<const char*>(data), size);
  for (const std::string& bytes : {raw, with_valid_crc(raw)}) {
    try {
      const poda::Checkpoint ck = poda::deserialize_checkpoint(bytes, "fuzz.ckpt");
      const std::string again = poda::serialize_checkpoint(ck, "fuzz.ckpt");
      const poda::Checkpoint back = poda::deserialize_checkpoint(again, "fuzz.ckpt");
      if (poda::serialize_checkpoint(back, "fuzz.ckpt") != again) __builtin_trap();
    } catch (const poda::CheckpointError&) {}
  }
  return 0;
}
