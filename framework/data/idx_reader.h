#pragma once
// Reader of the idx format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian header
// (magic 0x0000'08'NN, NN = number of dimensions, then NN uint32 sizes) followed by uint8
// data. Files may be gzipped or plain; zlib's gzread reads either. The header's sizes must
// account for the data exactly: a short, over-long or corrupt file is a DataError that
// names the file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace poda {

struct IdxImages {  // idx3: count images of rows x cols, row-major
  std::size_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;
};

// Magic 0x00000803. `path` may name either the plain or the ".gz" spelling; when it does
// not exist the other spelling is tried.
IdxImages read_idx_images(const std::string& path);

// Magic 0x00000801; every label must be < num_classes.
std::vector<std::uint8_t> read_idx_labels(const std::string& path, std::size_t num_classes = 10);

// Only the headers, checked as above (the data is not read): an image file's count and
// sizes (pixels left empty), and a label file's count.
IdxImages read_idx_image_header(const std::string& path);
std::size_t read_idx_label_count(const std::string& path);

// `path` if it exists, else its ".gz" / plain twin if that exists, else "".
std::string find_idx_file(const std::string& path);

}  // namespace poda
