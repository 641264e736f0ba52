#pragma once
// CRC-32 (zlib's polynomial) of bytes: the check that a checkpoint's body, a run's result row
// and the files it vouches for are the bytes that were written.
#include <cstddef>
#include <cstdint>
#include <string>

namespace poda {

std::uint32_t crc32_of(const char* data, std::size_t size);

// Eight lower-case hex digits, e.g. "0a1b2c3d".
std::string crc32_hex(const std::string& bytes);

}  // namespace poda
