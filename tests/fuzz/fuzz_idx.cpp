// libFuzzer target: the idx reader (MNIST / Fashion-MNIST), plain or gzipped, as images and
// as labels. A DataError is the expected answer to a bad file; anything else is a finding.
#include <cstddef>
#include <cstdint>

#include "data/data_error.h"
#include "data/idx_reader.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = poda_fuzz::write_input(data, size, ".idx");
  try {
    const poda::IdxImages images = poda::read_idx_images(path);
    if (images.pixels.size() != images.count * images.rows * images.cols) __builtin_trap();
  } catch (const poda::DataError&) {}
  try {
    poda::read_idx_labels(path, 10);
  } catch (const poda::DataError&) {}
  return 0;
}
