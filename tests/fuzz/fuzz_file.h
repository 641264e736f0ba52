#pragma once
// The readers fuzzed here take a path: each input is written to one scratch file per
// process (libFuzzer runs inputs one at a time in a process).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace poda_fuzz {

// The scratch file, removed when the fuzzer exits.
struct ScratchFile {
  std::string path;
  explicit ScratchFile(const std::string& suffix)
      : path((std::filesystem::temp_directory_path() /
              ("poda_fuzz_" + std::to_string(::getpid()) + suffix))
                 .string()) {}
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

inline std::string write_input(const std::uint8_t* data, std::size_t size,
                               const std::string& suffix) {
  static const ScratchFile file(suffix);
  std::ofstream out(file.path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file.path;
}

}  // namespace poda_fuzz
