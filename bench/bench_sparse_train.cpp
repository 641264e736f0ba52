// Fine-tuning epoch time of pruned networks on the sparse training path (core/
// sparse_linear.h and core/sparse_conv2d.h, taken where measured faster) against the
// masked dense path, batch 64, one thread: LeNet-300-100 at 90/95/98% and LeNet-5 (Caffe)
// at 90% unstructured sparsity (random masks at the same sparsity in every prunable layer;
// a magnitude mask costs the same). The two paths alternate epoch by epoch, so a busy machine slows both alike; the
// table gives thread CPU time per epoch (60,000 samples) and the ratio. Also the cost of one
// pattern build (after each mask change) and of an optimizer step by mask density, which
// sets sparse_update_max_density (train/optimizer.h).
//   bench_sparse_train [steps per timed run, default 300] [zoo model:sparsity ...]
// (rows given: only those, e.g. `bench_sparse_train 300 lenet300_100:0.98`).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/sparse_conv2d.h"
#include "core/sparse_linear.h"
#include "cpu_timing.h"
#include "kernels/isa.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "train/optimizer.h"

using namespace poda;
using poda_bench::median;
using poda_bench::thread_seconds;

namespace {

constexpr std::size_t batch = 64, epoch_steps = 60000 / batch;

Array random_mask(const Shape& shape, double sparsity, Rng& rng) {
  Array m = empty_array(shape);
  for (float& v : m) v = rng.uniform() < sparsity ? 0.0f : 1.0f;
  return m;
}

struct Run {
  ModulePtr model;
  std::unique_ptr<Sgd> sgd;
  Array images;
  std::vector<int> labels;
};

Run make_run(const char* zoo, double sparsity) {
  Rng rng(1);
  Run r;
  r.model = build_model(find_zoo_model(zoo)->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  for (auto& [name, p] : r.model->named_parameters())
    if (p->prunable) p->set_mask(random_mask(p->value.shape(), sparsity, rng));
  r.sgd = std::make_unique<Sgd>(r.model->parameters(), 0.01f, SgdSettings{0.9f, false, 5e-4f});
  r.images = empty_array({batch, 1, 28, 28});
  for (float& v : r.images) v = rng.normal();
  for (std::size_t i = 0; i < batch; ++i) r.labels.push_back(int(rng.below(10)));
  return r;
}

// Thread CPU seconds of `steps` training steps on the given path.
double time_steps(Run& r, SparseTraining mode, std::size_t steps) {
  set_sparse_training(mode);
  const double t0 = thread_seconds();
  for (std::size_t s = 0; s < steps; ++s) {
    r.sgd->zero_grad();
    Variable loss = cross_entropy(r.model->forward(Variable(r.images)), r.labels);
    loss.backward();
    r.sgd->step();
  }
  return thread_seconds() - t0;
}

void epoch_row(const char* zoo, double sparsity, std::size_t steps) {
  Run r = make_run(zoo, sparsity);
  time_steps(r, SparseTraining::measured, 20);  // the choices are timed here, and caches warm
  time_steps(r, SparseTraining::off, 20);
  std::vector<double> dense, sparse;
  for (int rep = 0; rep < 3; ++rep) {
    dense.push_back(time_steps(r, SparseTraining::off, steps) * epoch_steps / steps);
    sparse.push_back(time_steps(r, SparseTraining::measured, steps) * epoch_steps / steps);
  }
  const double d = median(dense), s = median(sparse);
  std::printf("  %-13s %4.0f%%   masked dense %7.3f s   sparse path %7.3f s   %5.2fx\n", zoo,
              100.0 * sparsity, d, s, d / s);
}

void pattern_row() {
  Rng rng(2);
  for (double sparsity : {0.9, 0.98}) {
    const Array mask = random_mask({300, 784}, sparsity, rng);
    const double t = poda_bench::time_per_call([&] { build_sparse_pattern(mask.data(), 300, 784); });
    std::printf("  pattern build, (300, 784) at %2.0f%%: %.3f ms\n", 100.0 * sparsity, 1e3 * t);
  }
}

void optimizer_rows() {
  Rng rng(3);
  for (double density : {0.02, 0.1, 0.3, 0.45, 0.5, 0.55, 0.7, 1.0}) {
    Parameter p;
    p.value = Variable(random_mask({300, 784}, 0.5, rng), true);
    p.set_mask(random_mask({300, 784}, 1.0 - density, rng));
    Sgd sgd({&p}, 0.01f, SgdSettings{0.9f, false, 5e-4f});
    const Array g = random_mask({300, 784}, 0.5, rng);
    const double t = poda_bench::time_per_call([&] {
      p.value.zero_grad();
      p.value.add_grad(g);
      sgd.step();
    });
    std::printf("  SGD step, (300, 784), mask density %.2f (%s): %.3f ms\n", density,
                density <= sparse_update_max_density ? "kept entries" : "masked pass", 1e3 * t);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  set_blas_threads(1);
  set_compute_threads(1);
  const std::size_t steps = argc > 1 ? std::size_t(std::atol(argv[1])) : 300;
  std::printf("sparse training, batch 64, 1 thread, kernel target %s, BLAS core %s\n",
              kernel_isa_name(kernel_isa()), blas_core_name().c_str());
  std::printf("epoch time (thread CPU, %zu steps per run scaled to %zu, median of 3 A/B):\n",
              steps, epoch_steps);
  if (argc > 2) {
    for (int a = 2; a < argc; ++a) {
      const std::string row = argv[a];
      const std::size_t colon = row.find(':');
      epoch_row(row.substr(0, colon).c_str(), std::atof(row.c_str() + colon + 1), steps);
    }
    std::printf("choices:\n%s%s", sparse_linear_choices_text().c_str(),
                sparse_conv2d_choices_text().c_str());
    return 0;
  }
  for (double s : {0.9, 0.95, 0.98}) epoch_row("lenet300_100", s, steps);
  epoch_row("lenet5_caffe", 0.9, std::max<std::size_t>(steps / 4, 20));
  std::printf("choices:\n%s%s", sparse_linear_choices_text().c_str(),
              sparse_conv2d_choices_text().c_str());
  pattern_row();
  optimizer_rows();
  return 0;
}
