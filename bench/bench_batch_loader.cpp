// Cost of turning uint8 images into normalised float batches, per sample, at batch 64:
// Fashion-MNIST (28x28) plain and with crop+flip, and CIFAR-sized (3x32x32) synthetic data;
// then the time to produce one augmented CIFAR batch, to set against a training step.
// Usage: bench_batch_loader [fashion-mnist folder]
#include <chrono>
#include <cstdio>
#include <string>

#include "data/batch_loader.h"
#include "data/data_error.h"
#include "data/mnist.h"
#include "data/normalization.h"

namespace {

double microseconds_per_sample(const poda::ImageSet& set, poda::Augmentation aug) {
  poda::BatchLoader loader(set, 64, true, 1, poda::compute_normalization(set), aug);
  poda::Batch batch;
  double checksum = 0.0;
  const int epochs = 3;
  const auto start = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e) {
    loader.start_epoch(std::size_t(e));
    while (loader.next(batch)) checksum += batch.images.data()[0];
  }
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
  std::fprintf(stderr, "(checksum %g)\n", checksum);  // keeps the work observable
  return took.count() / double(epochs * set.count);
}

poda::ImageSet synthetic(std::size_t n, std::size_t c, std::size_t h, std::size_t w) {
  poda::ImageSet s;
  s.count = n;
  s.channels = c;
  s.height = h;
  s.width = w;
  s.pixels.resize(n * c * h * w);
  std::uint32_t x = 1;
  for (auto& p : s.pixels) p = std::uint8_t((x = x * 1664525u + 1013904223u) >> 24);
  s.labels.assign(n, 0);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : poda::default_fashion_mnist_dir();
  poda::ImageSet mnist;
  try {
    const auto t0 = std::chrono::steady_clock::now();
    mnist = poda::load_mnist_split(dir, true);
    const std::chrono::duration<double> t = std::chrono::steady_clock::now() - t0;
    std::printf("load Fashion-MNIST train (60000, gzip): %.2f s\n", t.count());
  } catch (const poda::DataError& e) {
    std::printf("%s\nusing synthetic 28x28 data instead\n", e.what());
    mnist = synthetic(60000, 1, 28, 28);
  }
  const poda::ImageSet cifar = synthetic(20000, 3, 32, 32);
  std::printf("batch 64, us per sample:\n");
  std::printf("  1x28x28 plain      %.3f\n", microseconds_per_sample(mnist, {}));
  std::printf("  1x28x28 crop+flip  %.3f\n", microseconds_per_sample(mnist, {4, true}));
  std::printf("  3x32x32 plain      %.3f\n", microseconds_per_sample(cifar, {}));
  const double cifar_aug = microseconds_per_sample(cifar, {4, true});
  std::printf("  3x32x32 crop+flip  %.3f\n", cifar_aug);
  // Compare with a training step: bench_conv_train prints the step time of ResNet-20 and
  // Conv-4 at batch 64 (tens to hundreds of ms), so the loader's share is this / that.
  std::printf("CIFAR batch of 64 with crop+flip: %.3f ms to produce\n", cifar_aug * 64 / 1000.0);
}
