// Where the tests find poda's binary, its sources and the test plug-ins.
// Only test_paths.cpp is compiled with this build's absolute paths, so every other test file
// compiles the same in any build folder (and a compiler cache can share it).
#pragma once

#include <string>

namespace poda_test {

std::string poda_binary();       // the poda command-line program of this build
std::string source_dir();        // the repository's top folder
std::string tests_dir();         // source_dir() + "/tests"
std::string python();            // Debian's python3 (with onnx and cv2 for the export tests)
std::string test_plugin_dir();   // where tests/plugins/*.cpp are built as .so files

}  // namespace poda_test
