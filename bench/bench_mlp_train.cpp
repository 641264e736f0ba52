// LeNet-300-100 training throughput, batch 64, one BLAS thread, in samples/s: the whole
// step (batch assembly, forward, cross-entropy, backward, SGD-momentum) on Fashion-MNIST
// (random bytes of the same shape when the dataset is not installed).
// Also the dense-GEMM bound of the same step, for scale.
#include <chrono>
#include <cstdio>

#include "core/blas_runtime.h"
#include "core/gemm.h"
#include "core/ops.h"
#include "data/batch_loader.h"
#include "data/data_error.h"
#include "data/mnist.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "train/optimizer.h"

using namespace poda;
using clock_type = std::chrono::steady_clock;

namespace {

ImageSet training_images() {
  try {
    return load_mnist_split(default_fashion_mnist_dir(), true);
  } catch (const DataError& e) {
    std::fprintf(stderr, "bench: %s; using random bytes\n", e.what());
    ImageSet set;
    set.count = 60000;
    set.channels = 1;
    set.height = set.width = 28;
    Rng rng(1);
    set.pixels.resize(set.count * 784);
    for (auto& p : set.pixels) p = static_cast<std::uint8_t>(rng.below(256));
    set.labels.resize(set.count);
    for (auto& l : set.labels) l = static_cast<std::uint8_t>(rng.below(10));
    return set;
  }
}

double seconds(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  const std::size_t batch_size = 64;
  ImageSet set = training_images();
  Rng rng(1);
  auto model =
      build_model(find_zoo_model("lenet300_100")->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  Sgd sgd(model->parameters(), 0.05f, {0.9f, false, 0.0f});
  BatchLoader loader(set, batch_size, true, 1, compute_normalization(set), {}, true);
  Batch batch;

  auto train_steps = [&](std::size_t steps) {
    for (std::size_t i = 0; i < steps; ++i) {
      if (!loader.next(batch)) {
        loader.start_epoch(1);
        loader.next(batch);
      }
      sgd.zero_grad();
      Variable loss = cross_entropy(model->forward(Variable(batch.images)), batch.labels);
      loss.backward();
      sgd.step();
    }
  };
  train_steps(200);  // warm-up
  double best = 0.0;
  for (int rep = 0; rep < 5; ++rep) {
    const std::size_t steps = 937;  // one epoch of 60,000 samples
    const auto t0 = clock_type::now();
    train_steps(steps);
    best = std::max(best, steps * batch_size / seconds(t0));
  }

  // The GEMMs alone: forward NT, dW TN, dX NN (none for the first layer's input).
  const std::size_t dims[4] = {784, 300, 100, 10};
  std::vector<float> a(64 * 784, 0.5f), w(300 * 784, 0.5f), c(300 * 784);
  auto gemm_step = [&] {
    for (int l = 0; l < 3; ++l) {
      const std::size_t in = dims[l], out = dims[l + 1];
      gemm(false, true, 64, out, in, 1.0f, a.data(), w.data(), 0.0f, c.data());
      gemm(true, false, out, in, 64, 1.0f, a.data(), a.data(), 0.0f, c.data());
      if (l > 0) gemm(false, false, 64, in, out, 1.0f, a.data(), w.data(), 0.0f, c.data());
    }
  };
  for (int i = 0; i < 200; ++i) gemm_step();
  double gemm_best = 0.0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = clock_type::now();
    for (int i = 0; i < 937; ++i) gemm_step();
    gemm_best = std::max(gemm_best, 937 * 64 / seconds(t0));
  }
  std::printf("LeNet-300-100 training, batch 64, 1 thread, core %s\n", blas_core_name().c_str());
  std::printf("  poda training step : %8.0f samples/s (best of 5 epochs)\n", best);
  std::printf("  GEMMs alone (bound): %8.0f samples/s  -> poda at %.0f%% of the bound\n", gemm_best,
              100.0 * best / gemm_best);
  return 0;
}
