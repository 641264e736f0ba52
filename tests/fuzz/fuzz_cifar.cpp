// libFuzzer target: one CIFAR-10 binary batch file of any whole number of records.
// A DataError is the expected answer to a bad file; anything else is a finding.
#include <cstddef>
#include <cstdint>

#include "data/cifar10.h"
#include "data/data_error.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = poda_fuzz::write_input(data, size, ".bin");
  try {
    const poda::ImageSet set = poda::read_cifar10_file(path, 0);
    if (set.labels.size() != set.count || set.pixels.size() != set.count * 3 * 32 * 32)
      __builtin_trap();
  } catch (const poda::DataError&) {}
  return 0;
}
