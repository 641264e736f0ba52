// Training throughput of the CNN zoo: one thread, batch 64, forward + cross-entropy +
// backward + SGD-momentum step on random data, in samples/s.
//   bench_conv_train [seconds per model, default 2.5] [model ...]
// Run it with OPENBLAS_CORETYPE set to compare BLAS kernels (e.g. Haswell, Cooperlake).
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/ops.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "train/optimizer.h"

using namespace poda;

namespace {

// Returns samples/s of the median step; mean_rate gets the overall average.
double train_throughput(const std::string& name, const Shape& input, double seconds,
                        double& mean_rate) {
  const std::size_t batch = 64;
  Rng rng(1);
  auto model = build_model(find_zoo_model(name)->layers, input, Init::kaiming_uniform, rng);
  model->train();
  Sgd sgd(model->parameters(), 0.01f, {0.9f, false, 0.0f});
  Shape shape{batch};
  shape.insert(shape.end(), input.begin(), input.end());
  Array x = empty_array(shape);
  for (float& v : x) v = rng.normal();
  std::vector<int> labels(batch);
  for (int& y : labels) y = static_cast<int>(rng.below(10));
  const Variable input_batch(x);  // the first layer's input needs no gradient

  auto step = [&] {
    sgd.zero_grad();
    cross_entropy(model->forward(input_batch), labels).backward();
    sgd.step();
  };
  for (int i = 0; i < 5; ++i) step();  // warm-up: workspaces grow, BLAS buffers allocate
  // Each step is timed on its own and the median reported: the machine is shared, and the
  // median is what a step costs when this process has its core.
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::vector<double> times;
  double elapsed = 0.0;
  do {
    const auto t0 = clock::now();
    step();
    const auto t1 = clock::now();
    times.push_back(std::chrono::duration<double>(t1 - t0).count());
    elapsed = std::chrono::duration<double>(t1 - start).count();
  } while (elapsed < seconds);
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  const double median = times[times.size() / 2];
  mean_rate = static_cast<double>(times.size() * batch) / elapsed;
  return static_cast<double>(batch) / median;
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.5;
  struct Run {
    std::string model;
    Shape input;
  };
  std::vector<Run> runs{{"lenet5", {1, 28, 28}},
                        {"lenet5_caffe", {1, 28, 28}},
                        {"conv4", {3, 32, 32}},
                        {"resnet20", {3, 32, 32}}};
  if (argc > 2) {
    std::vector<Run> chosen;
    for (int a = 2; a < argc; ++a)
      for (const Run& r : runs)
        if (r.model == argv[a]) chosen.push_back(r);
    runs = chosen;
  }
  std::printf("BLAS core %s, 1 thread, batch 64, SGD momentum 0.9\n", openblas_get_corename());
  for (const Run& r : runs) {
    double mean_rate = 0.0;
    const double median_rate = train_throughput(r.model, r.input, seconds, mean_rate);
    std::printf("%-14s %-12s %10.0f samples/s (median step; mean %.0f)\n", r.model.c_str(),
                shape_str(r.input).c_str(), median_rate, mean_rate);
  }
  return 0;
}
