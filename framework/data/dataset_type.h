#pragma once
// A dataset type: one file under data/datasets/ that registers itself by name, like a
// criterion or a zoo model, after which `dataset: {name: NAME}` works in an experiment file:
//
//   const DatasetRegistrar fashion_mnist_registrar("fashion-mnist", [] { return std::make_unique<Idx>(...); });
//
// A type knows where its files live by default, reads its sizes from the files' own headers
// (no set size is written anywhere else) and loads its splits as ImageSets.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/image_set.h"

namespace poda {

// What a dataset's headers say, read without loading its samples.
struct DatasetSizes {
  std::size_t train = 0, test = 0;
};

class DatasetType {
 public:
  virtual ~DatasetType() = default;
  // One line for `poda list`: what it is and where it comes from.
  virtual std::string help() const = 0;
  // The per-sample shape (C, H, W) its file format fixes.
  virtual std::vector<std::size_t> sample_shape() const = 0;
  virtual std::size_t classes() const { return 10; }
  // The folder or file used when the experiment gives no `path:`; "" when the user must
  // give one, and path_required() says why.
  virtual std::string default_path() const = 0;
  virtual std::string path_required() const { return ""; }
  // Checks every file's header (present, well formed, sample_shape()) without reading the
  // samples. DataError naming the file.
  virtual DatasetSizes inspect(const std::string& path) const = 0;
  virtual ImageSet load(const std::string& path, bool train) const = 0;
};

using DatasetFactory = std::function<std::unique_ptr<DatasetType>()>;

void register_dataset(const std::string& name, DatasetFactory factory);
// Throws std::invalid_argument listing the registered names.
const DatasetType& dataset_type(const std::string& name);
bool has_dataset(const std::string& name);
std::vector<std::string> dataset_names();
// `path` when given, else the type's default location.
std::string dataset_path(const std::string& name, const std::string& path);

struct DatasetRegistrar {
  DatasetRegistrar(const std::string& name, DatasetFactory factory) {
    register_dataset(name, std::move(factory));
  }
};

}  // namespace poda
