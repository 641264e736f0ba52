// A plug-in whose static initialiser throws: poda names the library and exits 2.
#include <stdexcept>

namespace {

struct Throws {
  Throws() { throw std::runtime_error("test plug-in initialiser failed on purpose"); }
};

const Throws throws;

}  // namespace
