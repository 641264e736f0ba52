// LeNet-300-100 inference at batch 64 on one thread, three ways, timed alternately in one
// run (issue 12's targets): fp32 dense (poda::gemm, i.e. OpenBLAS SGEMM, plus bias and ReLU),
// int8 dense (quantize input, gemm_u8s8, dequantize with bias and ReLU) and int8 sparse on
// the same weights pruned to 90% by magnitude. Also the bare GEMMs, and the int8 scalar path.
// Ratios are taken per round and their median reported (the machine is shared and noisy).
// The same weights also run through the inference engine (infer/plan.h): the fp32 dense plan
// and the int8 plans (dense packed GEMM, sparse int8 GEMM) with the same input grids.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "kernels/cpu_features.h"
#include "core/gemm.h"
#include "cpu_timing.h"
#include "kernels/isa.h"
#include "infer/plan.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "quantize/int8_linear.h"

namespace {

using namespace poda;
using poda_bench::median;
using poda_bench::time_per_call;

constexpr std::size_t kBatch = 64;
constexpr std::size_t kDims[4] = {784, 300, 100, 10};

struct Fp32Layer {
  std::size_t in, out;
  std::vector<float> w, b;  // (out, in), (out)
  bool relu;
};

void fp32_forward(const Fp32Layer& l, const float* x, float* y) {  // x (B, in) -> y (B, out)
  gemm(false, true, kBatch, l.out, l.in, 1.0f, x, l.w.data(), 0.0f, y);
  for (std::size_t m = 0; m < kBatch; ++m)
    for (std::size_t n = 0; n < l.out; ++n) {
      const float v = y[m * l.out + n] + l.b[n];
      y[m * l.out + n] = l.relu && v < 0.0f ? 0.0f : v;
    }
}

std::vector<float> prune_by_magnitude(std::vector<float> w, double sparsity) {
  std::vector<float> mag(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) mag[i] = std::fabs(w[i]);
  const std::size_t cut = static_cast<std::size_t>(sparsity * static_cast<double>(w.size()));
  std::nth_element(mag.begin(), mag.begin() + static_cast<long>(cut), mag.end());
  const float threshold = mag[cut];
  for (float& v : w)
    if (std::fabs(v) < threshold) v = 0.0f;
  return w;
}

struct Model {
  std::vector<Fp32Layer> fp32, fp32_pruned;
  std::vector<Int8Linear> dense, dense_pruned, sparse;
};

// Random He weights; input grids calibrated (min-max) on the fp32 activations of x.
Model build_model(const std::vector<float>& x) {
  Model m;
  std::mt19937 rng(1);
  for (int l = 0; l < 3; ++l) {
    Fp32Layer f{kDims[l], kDims[l + 1], {}, {}, l < 2};
    std::normal_distribution<float> he(0.0f, std::sqrt(2.0f / static_cast<float>(f.in)));
    for (std::size_t i = 0; i < f.in * f.out; ++i) f.w.push_back(he(rng));
    for (std::size_t i = 0; i < f.out; ++i) f.b.push_back(0.01f * he(rng));
    m.fp32.push_back(f);
    f.w = prune_by_magnitude(f.w, 0.9);
    m.fp32_pruned.push_back(f);
  }
  std::vector<float> act = x, next;
  for (int l = 0; l < 3; ++l) {
    const auto [lo, hi] = std::minmax_element(act.begin(), act.end());
    const QuantGrid grid = activation_grid(*lo, *hi);
    const Fp32Layer& d = m.fp32[l];
    const Fp32Layer& p = m.fp32_pruned[l];
    m.dense.push_back(make_int8_linear(d.w.data(), d.out, d.in, d.b, grid, false, d.relu));
    m.dense_pruned.push_back(make_int8_linear(p.w.data(), p.out, p.in, p.b, grid, false, p.relu));
    m.sparse.push_back(make_int8_linear(p.w.data(), p.out, p.in, p.b, grid, true, p.relu));
    next.resize(kBatch * d.out);
    fp32_forward(d, act.data(), next.data());
    act.swap(next);
  }
  return m;
}

// LeNet-300-100 from the zoo holding the pruned fp32 weights (masks where they are 0), and
// the int8 input grid of each of its Dense layers, for the inference engine.
std::shared_ptr<Sequential> engine_model(const Model& m, Int8Inputs& grids) {
  Rng rng(0);
  auto model =
      build_model(find_zoo_model("lenet300_100")->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  int l = 0;
  for (const auto& [name, layer] : model->children()) {
    if (layer->type_name() != "Dense") continue;
    const Fp32Layer& f = m.fp32_pruned[l];
    auto params = layer->named_parameters();  // weight, bias
    Parameter& w = *params[0].second;
    std::copy(f.w.begin(), f.w.end(), w.value.data().begin());
    std::copy(f.b.begin(), f.b.end(), params[1].second->value.data().begin());
    Array mask = empty_array(w.value.shape());
    for (std::size_t i = 0; i < f.w.size(); ++i) mask.data()[i] = f.w[i] != 0.0f ? 1.0f : 0.0f;
    w.set_mask(std::move(mask));
    grids[name] = m.dense_pruned[l++].input_grid;
  }
  return model;
}

struct Variant {
  const char* name;
  std::function<void()> call;
  std::vector<double> seconds;  // one median per round
};

// Times every variant once per round, rounds alternating, and prints medians and the
// median of the per-round ratios named in `ratios` (numerator index, denominator index).
void run_rounds(std::vector<Variant>& variants,
                const std::vector<std::pair<std::string, std::pair<int, int>>>& ratios) {
  const int rounds = 11;
  std::vector<std::vector<double>> ratio_values(ratios.size());
  for (int r = 0; r < rounds; ++r) {
    for (Variant& v : variants) v.seconds.push_back(time_per_call(v.call));
    for (std::size_t i = 0; i < ratios.size(); ++i) {
      const auto [num, den] = ratios[i].second;
      ratio_values[i].push_back(variants[num].seconds.back() / variants[den].seconds.back());
    }
  }
  std::printf(
      "LeNet-300-100 forward, batch %zu, thread CPU time, median of %d alternating rounds:\n",
      kBatch, rounds);
  for (const Variant& v : variants)
    std::printf("  %-32s %9.1f us\n", v.name, median(v.seconds) * 1e6);
  for (std::size_t i = 0; i < ratios.size(); ++i)
    std::printf("  %-44s %.2fx (median of per-round ratios)\n", ratios[i].first.c_str(),
                median(ratio_values[i]));
}

void int8_step(const Int8Linear& l, const float* in, float* out) {
  int8_linear_forward(l, in, kBatch, out);
}

// (64, 784) pixels in [0, 1].
std::vector<float> random_input() {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::vector<float> x(kBatch * kDims[0]);
  for (float& v : x) v = pixel(rng);
  return x;
}

// Runs `layers` in order from x, the activations ping-ponging between a and b.
template <class Layers, class Forward>
void run_layers(const Layers& layers, Forward forward, const float* x, std::vector<float>& a,
                std::vector<float>& b) {
  const float* in = x;
  for (const auto& l : layers) {
    forward(l, in, a.data());
    std::swap(a, b);
    in = b.data();
  }
}

}  // namespace

int main(int argc, char** argv) {
  poda::ensure_blas_core(argc, argv);
  poda::set_blas_threads(1);
  std::printf("bench_int8_lenet: OpenBLAS core %s, %d thread; cpu [%s]; int8 path %s\n",
              blas_core_name().c_str(), blas_threads(), cpu_features().describe().c_str(),
              int8_kernel_name());
  const std::vector<float> x = random_input();
  const Model model = build_model(x);
  std::vector<float> a(kBatch * 784), b(kBatch * 784);  // ping-pong activations
  auto run = [&](const auto& layers, auto forward) { run_layers(layers, forward, x.data(), a, b); };
  const auto fp32 = fp32_forward;
  const auto int8 = int8_step;
  // The bare GEMMs of the three layers (every layer reads the first K values of one input).
  std::vector<std::uint8_t> qx(kBatch * 784, 100);
  std::vector<std::int32_t> acc(kBatch * 300);
  Int8Inputs grids;
  auto net = engine_model(model, grids);
  auto plan_fp32 = build_plan(*net, {1, 28, 28}, Dispatch::dense);
  auto plan_int8_dense = build_plan(*net, {1, 28, 28}, Dispatch::dense, grids);
  auto plan_int8_sparse = build_plan(*net, {1, 28, 28}, Dispatch::sparse, grids);
  std::vector<Variant> variants = {
      {"fp32 dense (sgemm)", [&] { run(model.fp32, fp32); }, {}},
      {"int8 dense", [&] { run(model.dense, int8); }, {}},
      {"int8 dense, 90% pruned weights", [&] { run(model.dense_pruned, int8); }, {}},
      {"int8 sparse, 90% pruned", [&] { run(model.sparse, int8); }, {}},
      {"int8 dense, scalar path",
       [&] {
         const KernelIsa active = kernel_isa();
         set_kernel_isa(KernelIsa::scalar);
         run(model.dense, int8);
         set_kernel_isa(active);
       },
       {}},
      {"fp32 GEMMs only",
       [&] {
         for (const Fp32Layer& l : model.fp32)
           gemm(false, true, kBatch, l.out, l.in, 1.0f, x.data(), l.w.data(), 0.0f, a.data());
       },
       {}},
      {"int8 GEMMs only",
       [&] {
         for (const Int8Linear& l : model.dense)
           gemm_u8s8(kBatch, qx.data(), l.in, l.dense, acc.data(), l.out);
       },
       {}},
      {"engine: fp32 dense plan, 90% pruned", [&] { plan_fp32->run(x.data(), kBatch); }, {}},
      {"engine: int8 dense plan, 90% pruned", [&] { plan_int8_dense->run(x.data(), kBatch); }, {}},
      {"engine: int8 sparse plan, 90% pruned",
       [&] { plan_int8_sparse->run(x.data(), kBatch); },
       {}},
  };
  run_rounds(variants, {{"speed-up int8 dense over fp32 dense", {0, 1}},
                        {"speed-up int8 sparse over int8 dense (90%)", {2, 3}},
                        {"speed-up int8 GEMMs over fp32 GEMMs", {5, 6}},
                        {"speed-up int8 default path over int8 scalar", {4, 1}},
                        {"engine: int8 dense plan over fp32 dense plan", {7, 8}},
                        {"engine: int8 sparse plan over int8 dense plan (90%)", {8, 9}}});
  return 0;
}
