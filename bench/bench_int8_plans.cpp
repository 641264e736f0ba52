// The int8 dense plan against the fp32 dense plan of the inference engine (infer/plan.h),
// for LeNet-300-100 and LeNet-5 Caffe (its convolutions included), one thread, timed
// alternately in one run: issue 21's int8 acceptance. Both plans run on every kernel target
// this CPU has (kernels/isa.h; scalar always), so one run gives each target's ratio.
// Weights are the zoo's random initialisation (dense, unpruned); the input grids are
// calibrated (min-max) on random pixels, as `poda` calibrates on training images.
//   bench_int8_plans [batch] [--profile] [--only PATH]
// batch defaults to 64; --profile prints where each plan's time goes; --only times one
// kernel target (scalar, avx2, avx512) instead of all.
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
#include "kernels/cpu_features.h"
#include "kernels/gemm_int8.h"
#include "data/normalization.h"
#include "infer/plan.h"
#include "cpu_timing.h"
#include "kernels/isa.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "quantize/fake_quant_model.h"

namespace {

using namespace poda;
using poda_bench::median;
using poda_bench::time_per_call;

ImageSet random_images(const Shape& sample, std::size_t count) {
  ImageSet set{count, sample[0], sample[1], sample[2], {}, {}, 10};
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> pixel(0, 255);
  set.pixels.resize(count * set.sample_size());
  for (auto& p : set.pixels) p = static_cast<std::uint8_t>(pixel(rng));
  set.labels.assign(count, 0);
  return set;
}

struct Options {
  std::size_t batch = 64;
  bool profile = false;
  std::string only;  // a kernel target name, or empty for all
};

// The fp32 dense plan and the int8 dense plan, both built and run on kernel target `isa`,
// timed alternately; prints the medians and the median per-round ratio fp32 / int8.
void bench_target(Sequential& model, const Shape& sample, const Int8Inputs& grids,
                  const std::vector<float>& x, std::size_t batch, KernelIsa isa, bool profile) {
  set_kernel_isa(isa);
  auto fp32 = build_plan(model, sample, Dispatch::dense);
  auto int8 = build_plan(model, sample, Dispatch::dense, grids);
  if (profile)
    std::printf("fp32 dense plan:\n%s\nint8 dense plan:\n%s\nint8 plan's kernels:\n%s\n",
                fp32->profile(batch, 50).c_str(), int8->profile(batch, 50).c_str(),
                int8->describe(batch).c_str());
  std::vector<double> t_fp32, t_int8, ratio;
  for (int round = 0; round < 9; ++round) {
    t_fp32.push_back(time_per_call([&] { fp32->run(x.data(), batch); }));
    t_int8.push_back(time_per_call([&] { int8->run(x.data(), batch); }));
    ratio.push_back(t_fp32.back() / t_int8.back());
  }
  std::printf("  target %-7s (int8 %-11s) fp32 %9.1f us   int8 %9.1f us   fp32/int8 %.2fx\n",
              kernel_isa_name(isa), int8_kernel_name(), median(t_fp32) * 1e6,
              median(t_int8) * 1e6, median(ratio));
}

void bench_model(const std::string& zoo_name, const Shape& sample, const Options& o) {
  Rng rng(0);
  auto model = build_model(find_zoo_model(zoo_name)->layers, sample, Init::kaiming_uniform, rng);
  const ImageSet images = random_images(sample, 4 * o.batch);
  const Normalization norm = compute_normalization(images);
  Int8Inputs grids;
  for (const LayerInputGrid& g : calibrate_layer_inputs(*model, images, norm, o.batch, {}))
    grids[g.layer] = g.grid;
  std::vector<float> x(o.batch * numel(sample));
  std::mt19937 gen(4);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(gen);
  std::printf("%s, batch %zu, thread CPU time, median of 9 alternating rounds per target:\n",
              zoo_name.c_str(), o.batch);
  const KernelIsa active = kernel_isa();
  for (KernelIsa isa : all_kernel_isas)
    if (kernel_isa_runnable(isa) && (o.only.empty() || o.only == kernel_isa_name(isa)))
      bench_target(*model, sample, grids, x, o.batch, isa, o.profile);
  set_kernel_isa(active);
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
  std::printf("bench_int8_plans: OpenBLAS core %s, %d thread; cpu [%s]; kernel target %s (%s)\n",
              blas_core_name().c_str(), blas_threads(), cpu_features().describe().c_str(),
              kernel_isa_name(kernel_isa()), kernel_isa_how().c_str());
  bench_model("lenet300_100", {1, 28, 28}, o);
  bench_model("lenet5_caffe", {1, 28, 28}, o);
  return 0;
}
