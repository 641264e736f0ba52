// The int8 dense plan against the fp32 dense plan of the inference engine (infer/plan.h),
// for LeNet-300-100 and LeNet-5 Caffe (its convolutions included), one thread, timed
// alternately in one run: issue 21's int8 acceptance. The int8 plan runs on every int8
// kernel path this CPU has (scalar always), so one run gives each path's ratio.
// Weights are the zoo's random initialisation (dense, unpruned); the input grids are
// calibrated (min-max) on random pixels, as `poda` calibrates on training images.
//   bench_int8_plans [batch] [--profile] [--only PATH]
// batch defaults to 64; --profile prints where each plan's time goes; --only times one int8
// path (scalar, avx2, avx512-vnni) instead of all.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "core/cpu_features.h"
#include "core/gemm_int8.h"
#include "data/normalization.h"
#include "infer/plan.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "quantize/fake_quant_model.h"

namespace {

using namespace poda;

// Thread CPU time: on a shared machine, wall time mostly measures the scheduler.
double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// CPU seconds per call: the median over 5 batches of calls of about 10 ms each.
double time_per_call(const std::function<void()>& call) {
  call();
  double t0 = thread_seconds();
  call();
  const double once = thread_seconds() - t0;
  const int per_batch = std::max(1, static_cast<int>(0.01 / std::max(once, 1e-9)));
  std::vector<double> per_call;
  for (int b = 0; b < 5; ++b) {
    t0 = thread_seconds();
    for (int i = 0; i < per_batch; ++i) call();
    per_call.push_back((thread_seconds() - t0) / per_batch);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

ImageSet random_images(const Shape& sample, std::size_t count) {
  ImageSet set{count, sample[0], sample[1], sample[2], {}, {}, 10};
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> pixel(0, 255);
  set.pixels.resize(count * set.sample_size());
  for (auto& p : set.pixels) p = static_cast<std::uint8_t>(pixel(rng));
  set.labels.assign(count, 0);
  return set;
}

// Times the fp32 dense plan and the int8 dense plan on each int8 path, alternating, and
// prints the medians and the median per-round ratio fp32 / int8.
struct Options {
  std::size_t batch = 64;
  bool profile = false;
  std::string only;  // an int8 path name, or empty for all
};

void bench_model(const std::string& zoo_name, const Shape& sample, const Options& o) {
  const std::size_t batch = o.batch;
  Rng rng(0);
  auto model = build_model(find_zoo_model(zoo_name)->layers, sample, Init::kaiming_uniform, rng);
  const ImageSet images = random_images(sample, 4 * batch);
  const Normalization norm = compute_normalization(images);
  Int8Inputs grids;
  for (const LayerInputGrid& g : calibrate_layer_inputs(*model, images, norm, batch, {}))
    grids[g.layer] = g.grid;
  std::vector<float> x(batch * numel(sample));
  std::mt19937 gen(4);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(gen);

  auto fp32 = build_plan(*model, sample, Dispatch::dense);
  auto int8 = build_plan(*model, sample, Dispatch::dense, grids);
  if (o.profile)
    std::printf("%s fp32 dense plan:\n%s\n%s int8 dense plan (%s):\n%s\n", zoo_name.c_str(),
                fp32->profile(batch, 50).c_str(), zoo_name.c_str(),
                int8_kernel_name(active_int8_kernel()), int8->profile(batch, 50).c_str());
  std::vector<Int8Kernel> paths = available_int8_kernels();
  if (!o.only.empty())
    paths.erase(std::remove_if(paths.begin(), paths.end(),
                               [&](Int8Kernel k) { return o.only != int8_kernel_name(k); }),
                paths.end());
  std::vector<double> t_fp32;
  std::vector<std::vector<double>> t_int8(paths.size()), ratio(paths.size());
  for (int round = 0; round < 9; ++round) {
    t_fp32.push_back(time_per_call([&] { fp32->run(x.data(), batch); }));
    for (std::size_t p = 0; p < paths.size(); ++p) {
      set_int8_kernel(paths[p]);
      t_int8[p].push_back(time_per_call([&] { int8->run(x.data(), batch); }));
      ratio[p].push_back(t_fp32.back() / t_int8[p].back());
    }
    set_int8_kernel(Int8Kernel::automatic);
  }
  std::printf("%s, batch %zu, thread CPU time, median of 9 alternating rounds:\n",
              zoo_name.c_str(), batch);
  std::printf("  fp32 dense plan                %9.1f us\n", median(t_fp32) * 1e6);
  for (std::size_t p = 0; p < paths.size(); ++p)
    std::printf("  int8 dense plan, %-12s %9.1f us   fp32/int8 %.2fx\n",
                int8_kernel_name(paths[p]), median(t_int8[p]) * 1e6, median(ratio[p]));
}

}  // namespace

int main(int argc, char** argv) {
  poda::ensure_blas_core(argc, argv);
  poda::set_blas_threads(1);
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--profile") {
      o.profile = true;
    } else if (arg == "--only" && i + 1 < argc) {
      o.only = argv[++i];
    } else {
      o.batch = std::strtoul(arg.c_str(), nullptr, 10);
      if (o.batch == 0) {
        std::fprintf(stderr, "bench_int8_plans: '%s' is not a batch size, --profile or --only\n",
                     arg.c_str());
        return 2;
      }
    }
  }
  std::printf("bench_int8_plans: OpenBLAS core %s, %d thread; cpu [%s]; int8 default %s\n",
              blas_core_name().c_str(), blas_threads(), cpu_features().describe().c_str(),
              int8_kernel_name(active_int8_kernel()));
  bench_model("lenet300_100", {1, 28, 28}, o);
  bench_model("lenet5_caffe", {1, 28, 28}, o);
  return 0;
}
