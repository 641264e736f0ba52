#include "experiment/io/checksum.h"

#include <cstdio>

#include <zlib.h>

namespace poda {

std::uint32_t crc32_of(const char* data, std::size_t size) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length; feed large inputs in chunks.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  while (size > 0) {
    const std::size_t n = size < kChunk ? size : kChunk;
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n));
    data += n;
    size -= n;
  }
  return static_cast<std::uint32_t>(crc);
}

std::string crc32_hex(const std::string& bytes) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x",
                static_cast<unsigned>(crc32_of(bytes.data(), bytes.size())));
  return hex;
}

}  // namespace poda
