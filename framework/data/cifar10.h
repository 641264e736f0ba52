#pragma once
// CIFAR-10, binary version (Krizhevsky 2009): data_batch_1..5.bin and test_batch.bin, each
// a sequence of 3073-byte records: one label byte, then 3072 pixel bytes, channel-major
// R, G, B planes of 32x32 -- the (C, H, W) layout ImageSet keeps.
#include <cstddef>
#include <string>

#include "data/image_set.h"

namespace poda {

constexpr std::size_t kCifar10RecordBytes = 1 + 3 * 32 * 32;
constexpr std::size_t kCifar10RecordsPerFile = 10000;

// One batch file. records_per_file = 0 accepts any whole number of records (the tests
// write small files); otherwise the file must hold exactly that many.
ImageSet read_cifar10_file(const std::string& path,
                           std::size_t records_per_file = kCifar10RecordsPerFile);

// The five training files concatenated, or test_batch.bin.
ImageSet load_cifar10_split(const std::string& dir, bool train,
                            std::size_t records_per_file = kCifar10RecordsPerFile);

// Checks the split without reading its records: every file present, of whole records (as
// many as records_per_file). Returns the record count; DataError naming the file.
std::size_t check_cifar10_split(const std::string& dir, bool train,
                                std::size_t records_per_file = kCifar10RecordsPerFile);

// "datasets/cifar-10-batches-bin", relative to the working directory.
std::string default_cifar10_dir();

}  // namespace poda
