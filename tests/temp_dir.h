#pragma once
// A fresh folder under the system temp dir, removed when the test ends.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace poda_test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& stem = "poda_test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (stem + "_XXXXXX")).string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string str() const { return path.string(); }
};

}  // namespace poda_test
