// Single-thread SGEMM throughput through poda::gemm on the core poda chose:
// the 1024^3 reference point, then the GEMMs of one LeNet-300-100 training
// step at batch 64 (forward NT, weight-gradient TN, input-gradient NN).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "kernels/cpu_features.h"
#include "core/gemm.h"

namespace {

struct Shape {
  std::string name;
  bool trans_a, trans_b;
  std::size_t M, N, K;
};

struct Timing {
  double best_s, median_s;  // seconds per call
};

// Batches of calls of about 20 ms each; best and median per-call time over
// the batches (best resists the noise of a shared machine).
Timing time_gemm(const Shape& s) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> A(s.M * s.K), B(s.K * s.N), C(s.M * s.N);
  for (float& x : A) x = dist(rng);
  for (float& x : B) x = dist(rng);
  auto call = [&] {
    poda::gemm(s.trans_a, s.trans_b, s.M, s.N, s.K, 1.0f, A.data(), B.data(), 0.0f, C.data());
  };
  using clock = std::chrono::steady_clock;
  call();  // warm-up: page faults, packing buffers
  auto t0 = clock::now();
  call();
  const double once = std::chrono::duration<double>(clock::now() - t0).count();
  const int per_batch = std::max(1, static_cast<int>(0.02 / std::max(once, 1e-9)));
  std::vector<double> per_call;
  for (int batch = 0; batch < 15; ++batch) {
    t0 = clock::now();
    for (int i = 0; i < per_batch; ++i) call();
    per_call.push_back(std::chrono::duration<double>(clock::now() - t0).count() / per_batch);
  }
  std::sort(per_call.begin(), per_call.end());
  return {per_call.front(), per_call[per_call.size() / 2]};
}

double gflops(const Shape& s, double seconds) {
  return 2.0 * static_cast<double>(s.M) * s.N * s.K / seconds * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  poda::ensure_blas_core(argc, argv);
  std::printf("bench_sgemm: OpenBLAS core %s (%s), %d thread(s)\n", poda::blas_core_name().c_str(),
              poda::blas_core_how().c_str(), poda::blas_threads());
  std::printf("cpu: %s [%s]\n", poda::cpu_features().brand.c_str(),
              poda::cpu_features().describe().c_str());

  const std::vector<Shape> shapes = {
      {"square 1024^3", false, false, 1024, 1024, 1024},
      {"fc1 forward", false, true, 64, 300, 784},
      {"fc1 dW", true, false, 300, 784, 64},
      {"fc1 dX", false, false, 64, 784, 300},
      {"fc2 forward", false, true, 64, 100, 300},
      {"fc2 dW", true, false, 100, 300, 64},
      {"fc2 dX", false, false, 64, 300, 100},
      {"fc3 forward", false, true, 64, 10, 100},
      {"fc3 dW", true, false, 10, 100, 64},
      {"fc3 dX", false, false, 64, 100, 10},
  };
  std::printf("%-14s %2s %14s %10s %10s %12s\n", "gemm", "op", "MxNxK", "GFLOP/s", "median",
              "us/call");
  double step_us = 0.0, step_flop = 0.0;
  for (const Shape& s : shapes) {
    const Timing t = time_gemm(s);
    const std::string dims =
        std::to_string(s.M) + "x" + std::to_string(s.N) + "x" + std::to_string(s.K);
    const std::string op = std::string(s.trans_a ? "T" : "N") + (s.trans_b ? "T" : "N");
    std::printf("%-14s %2s %14s %10.1f %10.1f %12.2f\n", s.name.c_str(), op.c_str(), dims.c_str(),
                gflops(s, t.best_s), gflops(s, t.median_s), t.best_s * 1e6);
    if (s.name.rfind("fc", 0) == 0) {
      step_us += t.best_s * 1e6;
      step_flop += 2.0 * static_cast<double>(s.M) * s.N * s.K;
    }
  }
  std::printf("LeNet-300-100 step GEMMs (batch 64): %.1f us, %.1f GFLOP/s\n", step_us,
              step_flop / (step_us * 1e-6) * 1e-9);
  return 0;
}
