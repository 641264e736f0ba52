// The MNIST-format datasets (data/mnist.h): a folder of four idx files, 28x28 grey images.
// Fashion-MNIST (Xiao et al. 2017) ships with Debian; MNIST itself cannot be downloaded
// here, so it needs a path.
#include "data/dataset_type.h"
#include "data/mnist.h"

namespace poda {
namespace {

class MnistFormat : public DatasetType {
 public:
  MnistFormat(std::string help, std::string default_path, std::string path_required)
      : help_(std::move(help)),
        default_path_(std::move(default_path)),
        path_required_(std::move(path_required)) {}

  std::string help() const override { return help_; }
  std::vector<std::size_t> sample_shape() const override { return {1, 28, 28}; }
  std::string default_path() const override { return default_path_; }
  std::string path_required() const override { return path_required_; }
  DatasetSizes inspect(const std::string& path) const override {
    return {check_mnist_split(path, true), check_mnist_split(path, false)};
  }
  ImageSet load(const std::string& path, bool train) const override {
    return load_mnist_split(path, train);
  }

 private:
  std::string help_, default_path_, path_required_;
};

const DatasetRegistrar fashion("fashion-mnist", [] {
  return std::make_unique<MnistFormat>(
      "Fashion-MNIST, 60,000 + 10,000 grey 28x28 images (Debian: dataset-fashion-mnist)",
      default_fashion_mnist_dir(), "");
});

const DatasetRegistrar mnist("mnist", [] {
  return std::make_unique<MnistFormat>(
      "MNIST or any folder of the four MNIST idx files (path: required)", "",
      "MNIST cannot be downloaded here: give the folder holding its four idx files");
});

}  // namespace
}  // namespace poda
