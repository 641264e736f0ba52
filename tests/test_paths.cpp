// The one test file compiled with this build's paths (see test_paths.h).
#include "test_paths.h"

namespace poda_test {

std::string poda_binary() { return PODA_BINARY; }
std::string source_dir() { return PODA_SOURCE_DIR; }
std::string tests_dir() { return PODA_SOURCE_DIR "/tests"; }
std::string python() { return PODA_PYTHON; }
std::string test_plugin_dir() { return PODA_TEST_PLUGIN_DIR; }

}  // namespace poda_test
