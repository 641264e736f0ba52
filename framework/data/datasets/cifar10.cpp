// CIFAR-10, binary version (data/cifar10.h): 32x32 colour images, five training files and
// one test file of 10,000 records each.
#include "data/cifar10.h"
#include "data/dataset_type.h"

namespace poda {
namespace {

class Cifar10 : public DatasetType {
 public:
  std::string help() const override {
    return "CIFAR-10 binary version, 50,000 + 10,000 colour 32x32 images "
           "(path: defaults to datasets/cifar-10-batches-bin)";
  }
  std::vector<std::size_t> sample_shape() const override { return {3, 32, 32}; }
  std::string default_path() const override { return default_cifar10_dir(); }
  DatasetSizes inspect(const std::string& path) const override {
    return {check_cifar10_split(path, true), check_cifar10_split(path, false)};
  }
  ImageSet load(const std::string& path, bool train) const override {
    return load_cifar10_split(path, train);
  }
};

const DatasetRegistrar cifar10_registrar("cifar10", [] { return std::make_unique<Cifar10>(); });

}  // namespace
}  // namespace poda
