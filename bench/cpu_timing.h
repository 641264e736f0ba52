#pragma once
// Thread-CPU-time timing for the kernel benchmarks: on a machine shared by many processes,
// wall time mostly measures the scheduler; the compared sides run single-threaded in this
// thread (OpenBLAS with 1 thread computes in the caller), so CPU time compares them fairly.
#include <time.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace poda_bench {

inline double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CPU seconds per call: the median over 5 batches of calls of about 10 ms each.
inline double time_per_call(const std::function<void()>& call) {
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
  return median(per_call);
}

}  // namespace poda_bench
