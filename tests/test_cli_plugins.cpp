// `--plugin`: a missing file, a file dlopen refuses and a library that registers nothing are
// input errors (exit code 2) naming the file. (A plug-in that does register something is
// built and loaded by the ctest examples_against_installed_poda, tests/run_examples.sh.)
#include <doctest/doctest.h>
#include <dlfcn.h>
#include <zlib.h>

#include <filesystem>

#include "cli_process.h"

namespace fs = std::filesystem;

namespace {

// zlib, which the test binary links: a real shared library with no poda registrars.
std::string zlib_path() {
  Dl_info info{};
  REQUIRE(::dladdr(reinterpret_cast<void*>(&::crc32), &info) != 0);
  return info.dli_fname;
}

}  // namespace

TEST_CASE("poda --plugin: missing, unloadable or empty plug-ins are exit code 2, named") {
  const fs::path dir = fs::temp_directory_path() / ("poda_plugins" + std::to_string(::getpid()));
  fs::create_directories(dir);
  poda_test::write_text(dir / "not_a_library.so", "text, not ELF\n");
  struct Case {
    std::string plugin, message;
  };
  for (const Case& c : {Case{(dir / "missing.so").string(), "no such file"},
                        Case{(dir / "not_a_library.so").string(), "cannot be loaded"},
                        Case{zlib_path(), "registered nothing"}}) {
    CAPTURE(c.plugin);
    const auto r = poda_test::run_poda({"list", "criteria", "--plugin", c.plugin}, dir, "list");
    CHECK(r.code == 2);
    CHECK(r.err.find("plug-in '" + c.plugin + "'") != std::string::npos);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.out.find("magnitude") == std::string::npos);  // nothing ran
  }
  fs::remove_all(dir);
}
