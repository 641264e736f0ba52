// The direct training kernels of ResNet-20's stride-1 3x3 layers, one layer at a time: the
// forward, the data gradient and the weight gradient (batch 64, one thread), each the fastest
// of many calls by this thread's CPU clock (a shared machine only adds time), with the
// direct path forced. Each pass's time beside the GEMMs it stands for (im2col's products,
// timed the same way), so a kernel change shows per layer rather than in a whole step.
//   bench_conv_layers [repetitions, default 20]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/blas_runtime.h"
#include "core/conv_choice.h"
#include "core/conv_kernels.h"
#include "core/gemm.h"
#include "core/profile.h"
#include "kernels/isa.h"

using namespace poda;

namespace {

template <class F>
double best_ms(int reps, F f) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const double t0 = profile_now();
    f();
    best = std::min(best, profile_now() - t0);
  }
  return 1e3 * best;
}

void bench_layer(std::size_t C, std::size_t HW, int reps) {
  const std::size_t B = 64, K = C * 9;
  const ConvDims d{B, C, HW, HW, C, 3, 3, HW, HW, 1, 1, 1, 1};
  std::vector<float> x(B * C * HW * HW, 0.5f), y(x.size()), dx(x.size()), w(C * K, 0.01f),
      dw(w.size());
  const double fwd = best_ms(
      reps, [&] { conv_forward(y.data(), false, x.data(), w.data(), nullptr, d, nullptr); });
  const double dgrad =
      best_ms(reps, [&] { conv_backward_data(dx.data(), 0.0f, y.data(), w.data(), d); });
  const double wgrad =
      best_ms(reps, [&] { conv_backward_weight(dw.data(), 0.0f, y.data(), x.data(), d); });
  static std::vector<float> a, b, c;
  a.assign(C * K, 0.01f);
  b.assign(K * B * HW * HW, 0.01f);
  c.assign(C * B * HW * HW, 0.0f);
  const double gemm_ms = best_ms(reps, [&] {
    gemm(false, false, C, B * HW * HW, K, 1.0f, a.data(), b.data(), 0.0f, c.data());
  });
  std::printf(
      "%3zux%2zux%-2zu  forward %7.2f ms  data grad %7.2f ms  weight grad %7.2f ms"
      "  (one batched GEMM of the forward's shape %7.2f ms)\n",
      C, HW, HW, fwd, dgrad, wgrad, gemm_ms);
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  set_blas_threads(1);
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  force_conv_direct(true);
  std::printf("%s kernels, one thread, batch 64, best of %d by CPU time\n",
              kernel_isa_name(kernel_isa()), reps);
  bench_layer(16, 32, reps);
  bench_layer(32, 16, reps);
  bench_layer(64, 8, reps);
  return 0;
}
