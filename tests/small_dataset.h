#pragma once
// A tiny MNIST-format dataset on disk (the four idx files of load_mnist_split), for
// end-to-end tests that train in a moment or corrupt one of its files.
#include <cstdint>
#include <filesystem>
#include <string>

#include "data_files.h"

namespace poda_test {

// `train` and `test` images of 28x28 with labels i % 10, plain idx files in `dir`.
inline void write_small_mnist(const std::filesystem::path& dir, std::uint32_t train = 40,
                              std::uint32_t test = 20) {
  namespace t = poda::testing;
  std::filesystem::create_directories(dir);
  auto labels = [](std::uint32_t n) {
    t::Bytes b;
    for (std::uint32_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(i % 10));
    return b;
  };
  t::write_file((dir / "train-images-idx3-ubyte").string(), t::idx_images(train, 28, 28));
  t::write_file((dir / "train-labels-idx1-ubyte").string(), t::idx_labels(labels(train)));
  t::write_file((dir / "t10k-images-idx3-ubyte").string(), t::idx_images(test, 28, 28));
  t::write_file((dir / "t10k-labels-idx1-ubyte").string(), t::idx_labels(labels(test)));
}

// One run (no sweep) on the MNIST-format folder `data_dir`.
inline std::string small_mnist_config(const std::filesystem::path& data_dir) {
  return "name: small\nseed: 1\n"
         "dataset: {name: mnist, path: " +
         data_dir.string() +
         ", val_count: 10}\n"
         "model:\n  layers: [{type: flatten}, {type: dense, out: 8}, {type: relu}, {type: dense, "
         "out: 10}]\n"
         "train: {epochs: 1, batch_size: 16, lr: 0.05}\n";
}

}  // namespace poda_test
