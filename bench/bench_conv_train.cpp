// Training throughput of the CNN zoo: one thread, batch 64, forward + cross-entropy +
// backward + SGD-momentum step on random data, in samples/s.
//   bench_conv_train [seconds per model, default 2.5] [model ...]
// Run it with OPENBLAS_CORETYPE set to compare BLAS kernels (e.g. Haswell, Cooperlake).

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "core/ops.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "train/optimizer.h"

using namespace poda;

namespace {

// Returns samples/s of the median step.
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
  // The machine is shared, so wall time measures the neighbours too. Each step is timed by
  // this thread's CPU clock (the run is single-threaded, so on an idle machine it equals the
  // wall time) and the median step reported; mean_rate gets the wall-clock average.
  using clock = std::chrono::steady_clock;
  auto cpu_seconds = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  const auto start = clock::now();
  std::vector<double> times;
  double elapsed = 0.0;
  do {
    const double t0 = cpu_seconds();
    step();
    times.push_back(cpu_seconds() - t0);
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < seconds);
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  const double median = times[times.size() / 2];
  mean_rate = static_cast<double>(times.size() * batch) / elapsed;
  return static_cast<double>(batch) / median;
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);  // the kernels poda itself runs on; one BLAS thread
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
  std::printf("BLAS core %s, 1 thread, batch 64, SGD momentum 0.9\n", blas_core_name().c_str());
  for (const Run& r : runs) {
    double mean_rate = 0.0;
    const double median_rate = train_throughput(r.model, r.input, seconds, mean_rate);
    std::printf("%-14s %-12s %10.0f samples/s (median step, CPU time; wall-clock mean %.0f)\n", r.model.c_str(),
                shape_str(r.input).c_str(), median_rate, mean_rate);
  }
  return 0;
}
