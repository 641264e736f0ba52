#include "data/mnist.h"

#include <filesystem>

#include <fmt/format.h>

#include "data/data_error.h"
#include "data/idx_reader.h"

namespace poda {
namespace {

constexpr const char* kExpectedFiles =
    "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
    "t10k-labels-idx1-ubyte (each plain or .gz)";

std::string locate(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  const std::string found = find_idx_file((fs::path(dir) / name).string());
  if (!found.empty()) return found;
  std::string hint;
  if (dir == default_fashion_mnist_dir() || dir.find("fashion") != std::string::npos)
    hint =
        "; Fashion-MNIST is provided there by the Debian package dataset-fashion-mnist "
        "(scripts/setup.sh installs it)";
  std::error_code ec;
  const char* what = fs::is_directory(dir, ec) ? "has no" : "does not exist, so no";
  throw DataError(fmt::format("{}: folder {} {}[.gz]; an MNIST-format folder holds {}{}", dir, what,
                              name, kExpectedFiles, hint));
}

}  // namespace

std::string default_fashion_mnist_dir() {
  return "/usr/share/datasets/fashion-mnist";
}

std::size_t check_mnist_split(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = locate(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = locate(dir, prefix + "-labels-idx1-ubyte");
  const IdxImages images = read_idx_image_header(images_path);
  if (images.rows != 28 || images.cols != 28)
    throw DataError(
        fmt::format("{}: images of {}x{}, expected 28x28", images_path, images.rows, images.cols));
  const std::size_t labels = read_idx_label_count(labels_path);
  if (labels != images.count)
    throw DataError(fmt::format("{}: holds {} images but {} holds {} labels", images_path,
                                images.count, labels_path, labels));
  return images.count;
}

ImageSet load_mnist_split(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = locate(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = locate(dir, prefix + "-labels-idx1-ubyte");
  IdxImages images = read_idx_images(images_path);
  ImageSet set;
  set.labels = read_idx_labels(labels_path, set.num_classes);
  if (set.labels.size() != images.count)
    throw DataError(fmt::format("{}: holds {} images but {} holds {} labels", images_path,
                                images.count, labels_path, set.labels.size()));
  set.count = images.count;
  set.channels = 1;
  set.height = images.rows;
  set.width = images.cols;
  set.pixels = std::move(images.pixels);
  return set;
}

}  // namespace poda
