// Training throughput of the CNN zoo and vit_tiny: batch 64 (or --batch), forward +
// cross-entropy + backward + SGD-momentum (or --adamw: AdamW, lr 1e-3, weight decay 0.05) step
// on random data, in samples/s; for each model also the GEMM-bound
// estimate (the step's convolution and dense GEMMs alone) and, with --profile, where the
// step's time goes, per op family.
//   bench_conv_train [seconds per model, default 2.5] [--threads N] [--profile]
//                    [--batch N] [--adamw]
//                    [--per-sample | --batched (force conv2d's GEMM batching)]
//                    [--im2col | --direct (force a conv path; by default each stride-1
//                     conv times both and keeps the faster, and the choices are listed)]
//                    [model ...]
// Run it with OPENBLAS_CORETYPE set to compare BLAS kernels (e.g. Haswell, Cooperlake).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <sys/resource.h>
#include <memory>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "core/conv_choice.h"
#include "core/gemm.h"
#include "core/ops.h"
#include "core/profile.h"
#include "kernels/isa.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "train/optimizer.h"

using namespace poda;

namespace {

struct Run {
  std::string model;
  Shape input;
};

// One model, its optimizer and a fixed random batch.
struct Trainer {
  Trainer(const Run& r, std::size_t batch, bool adamw) : rng(1) {
    model = build_model(find_zoo_model(r.model)->layers, r.input, Init::kaiming_uniform, rng);
    model->train();
    if (adamw)
      opt = std::make_unique<Adam>(model->parameters(), 1e-3f,
                                   AdamSettings{0.9f, 0.999f, 1e-8f, 0.05f, true});
    else
      opt = std::make_unique<Sgd>(model->parameters(), 0.01f, SgdSettings{0.9f, false, 0.0f});
    Shape shape{batch};
    shape.insert(shape.end(), r.input.begin(), r.input.end());
    Array x = empty_array(shape);
    for (float& v : x) v = rng.normal();
    input = Variable(x);  // the first layer's input needs no gradient
    labels.resize(batch);
    for (int& y : labels) y = static_cast<int>(rng.below(10));
  }
  void step() {
    opt->zero_grad();
    cross_entropy(model->forward(input), labels).backward();
    ProfileScope scope(ProfileOp::optimizer);
    opt->step();
  }
  Rng rng;
  std::shared_ptr<Sequential> model;
  std::unique_ptr<Optimizer> opt;
  Variable input;
  std::vector<int> labels;
};

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Median step time, by this thread's CPU clock (robust to neighbours on a shared machine,
// but blind to worker threads) and by the wall clock (what counts with threads).
struct StepTimes {
  double cpu = 0.0, wall = 0.0;
  double page_faults = 0.0;  // per step: fresh pages the step's allocations touched
};

long minor_page_faults() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

StepTimes time_steps(Trainer& t, double seconds) {
  for (int i = 0; i < 5; ++i) t.step();  // warm-up: workspaces grow, BLAS buffers allocate
  std::vector<double> cpu, wall;
  const double start = wall_seconds();
  const long faults0 = minor_page_faults();
  do {
    const double c0 = profile_now(), w0 = wall_seconds();
    t.step();
    cpu.push_back(profile_now() - c0);
    wall.push_back(wall_seconds() - w0);
  } while (wall_seconds() - start < seconds || cpu.size() < 5);
  return {median(cpu), median(wall),
          static_cast<double>(minor_page_faults() - faults0) / static_cast<double>(cpu.size())};
}

// CPU seconds of one GEMM shape, best of a few repetitions, on buffers large enough for it.
double time_gemm(bool ta, bool tb, std::size_t M, std::size_t N, std::size_t K, std::size_t calls) {
  static std::vector<float> a, b, c;
  a.assign(std::max(a.size(), M * K), 0.01f);
  b.assign(std::max(b.size(), K * N), 0.01f);
  c.assign(std::max(c.size(), M * N), 0.0f);
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = profile_now();
    for (std::size_t i = 0; i < calls; ++i)
      gemm(ta, tb, M, N, K, 1.0f, a.data(), b.data(), 0.0f, c.data());
    best = std::min(best, profile_now() - t0);
  }
  return best;
}

// The step's GEMMs alone: each noted product as one batched GEMM or as per-sample GEMMs,
// whichever is faster on this BLAS core. Returns seconds per step.
double gemm_bound_seconds(const std::vector<GemmNote>& notes) {
  double total = 0.0;
  for (const GemmNote& n : notes) {
    const double per_sample = time_gemm(n.trans_a, n.trans_b, n.M, n.N, n.K, n.batch);
    const double batched = n.batch_in_k
                               ? time_gemm(n.trans_a, n.trans_b, n.M, n.N, n.K * n.batch, 1)
                               : time_gemm(n.trans_a, n.trans_b, n.M, n.N * n.batch, n.K, 1);
    total += std::min(per_sample, batched);
  }
  return total;
}

void print_profile(Trainer& t, int steps) {
  set_profiling(true);
  const double t0 = profile_now();
  for (int i = 0; i < steps; ++i) t.step();
  const double total = (profile_now() - t0) / steps;
  const ProfileTotals p = profile_totals();
  set_profiling(false);
  double accounted = 0.0;
  std::printf("  per-op profile (CPU ms per step of this thread, %d steps):\n", steps);
  for (std::size_t i = 0; i < profile_op_count; ++i) {
    const double ms = 1e3 * p.seconds[i] / steps;
    accounted += ms;
    std::printf("    %-26s %8.2f ms %5.1f%%  (%ld calls/step)\n",
                profile_op_name(static_cast<ProfileOp>(i)), ms, 100.0 * ms / (1e3 * total),
                p.calls[i] / steps);
  }
  const double other = 1e3 * total - accounted;
  std::printf("    %-26s %8.2f ms %5.1f%%\n    %-26s %8.2f ms\n", "other (graph, loss, copies)",
              other, 100.0 * other / (1e3 * total), "step", 1e3 * total);
}

struct Options {
  double seconds = 2.5;
  bool profile = false, adamw = false;
  std::size_t batch = 64;
};

void bench_model(const Run& r, const Options& o) {
  const std::size_t batch = o.batch;
  Trainer t(r, batch, o.adamw);
  const StepTimes s = time_steps(t, o.seconds);
  set_profiling(true);  // one step to collect the GEMMs the ops stand for
  t.step();
  const std::vector<GemmNote> notes = profile_gemm_notes();
  set_profiling(false);
  const double bound = batch / gemm_bound_seconds(notes);
  const double rate = batch / s.cpu;
  std::printf(
      "%-14s %-12s %8.0f samples/s (median step, CPU time; wall %.0f)  GEMM bound %.0f "
      "-> %.0f%% of it\n",
      r.model.c_str(), shape_str(r.input).c_str(), rate, batch / s.wall, bound,
      100.0 * rate / bound);
  std::printf("  %.0f page faults per step\n", s.page_faults);
  const std::string choices = conv_choices_text();
  if (!choices.empty()) std::printf("  conv paths chosen by timing:\n%s", choices.c_str());
  if (o.profile) print_profile(t, 10);  // with the choices kept: no path timed in it
  clear_conv_choices();
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);  // the kernels poda itself runs on; one BLAS thread
  Options o;
  int threads = 1;
  std::vector<std::string> chosen;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--threads") && a + 1 < argc)
      threads = std::atoi(argv[++a]);
    else if (!std::strcmp(argv[a], "--profile"))
      o.profile = true;
    else if (!std::strcmp(argv[a], "--adamw"))
      o.adamw = true;
    else if (!std::strcmp(argv[a], "--batch") && a + 1 < argc)
      o.batch = static_cast<std::size_t>(std::max(1, std::atoi(argv[++a])));
    else if (!std::strcmp(argv[a], "--per-sample"))
      set_conv_batching(ConvBatching::per_sample);
    else if (!std::strcmp(argv[a], "--batched"))
      set_conv_batching(ConvBatching::batched);
    else if (!std::strcmp(argv[a], "--im2col"))
      set_conv_algorithm(ConvAlgorithm::im2col);
    else if (!std::strcmp(argv[a], "--direct"))
      force_conv_direct(true);
    else if (a == 1 && std::atof(argv[a]) > 0.0)
      o.seconds = std::atof(argv[a]);
    else
      chosen.push_back(argv[a]);
  }
  set_blas_threads(threads);
  std::vector<Run> runs{{"lenet5", {1, 28, 28}},
                        {"lenet5_caffe", {1, 28, 28}},
                        {"conv4", {3, 32, 32}},
                        {"resnet20", {3, 32, 32}},
                        {"vit_tiny", {1, 28, 28}}};
  if (!chosen.empty()) {
    std::vector<Run> picked;
    for (const std::string& name : chosen)
      for (const Run& r : runs)
        if (r.model == name) picked.push_back(r);
    runs = picked;
  }
  std::printf("BLAS core %s, %s kernels, %d thread(s), batch %zu, %s\n",
              blas_core_name().c_str(), kernel_isa_name(kernel_isa()), threads, o.batch,
              o.adamw ? "AdamW (weight decay 0.05)" : "SGD momentum 0.9");
  for (const Run& r : runs) bench_model(r, o);
  return 0;
}
