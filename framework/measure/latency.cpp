#include "measure/latency.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "core/elapsed.h"
#include "core/random.h"

namespace poda {

namespace {

// CPU time of this thread, in µs: what a call costs without the time it waited for a core.
double thread_cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e6 + double(t.tv_nsec) * 1e-3;
}

LatencyStats stats_of(std::vector<double> us) {
  LatencyStats s;
  s.calls = us.size();
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  s.median_us =
      us.size() % 2 ? us[us.size() / 2] : 0.5 * (us[us.size() / 2 - 1] + us[us.size() / 2]);
  s.p90_us = us[std::min(us.size() - 1, us.size() * 9 / 10)];
  return s;
}

// How often the timing loop reports its progress.
constexpr double kProgressSeconds = 0.1;

// The share of the protocol done: complete when both minimums are met, or at max_seconds.
double protocol_fraction(const LatencyProtocol& p, std::size_t calls_done, double elapsed) {
  const double calls = double(calls_done) / double(std::max<std::size_t>(p.min_calls, 1));
  const double minimum = std::min(calls, elapsed / std::max(p.min_seconds, 1e-9));
  return std::min(1.0, std::max(minimum, elapsed / std::max(p.max_seconds, 1e-9)));
}

}  // namespace

std::vector<LatencyStats> measure_alternating(const std::vector<std::function<void()>>& calls,
                                              const LatencyProtocol& p,
                                              const LatencyProgress& progress) {
  using clock = std::chrono::steady_clock;
  const auto warm = clock::now();
  double slowest_us = 0.0;  // of the last warm-up round
  while (seconds_since(warm) < p.warmup_seconds * double(calls.size())) {
    slowest_us = 0.0;
    for (const auto& call : calls) {
      const auto c0 = clock::now();
      call();
      slowest_us = std::max(slowest_us,
                            std::chrono::duration<double, std::micro>(clock::now() - c0).count());
    }
  }
  // Calls of a millisecond or more neither need re-warmed caches nor blocks of several, and
  // on a shared machine their wall time mostly measures preemption: they are timed in this
  // thread's CPU time (shorter calls rarely lose the core, and the CPU clock's ~0.3 us
  // overhead would bias them).
  const bool long_calls = slowest_us >= 1000.0;
  const std::size_t block = long_calls ? 1 : p.block;
  std::vector<std::vector<double>> us(calls.size());
  const auto t0 = clock::now();
  double reported = -1.0;  // elapsed at the last progress report
  for (std::size_t calls_done = 0;; calls_done += block) {
    const double elapsed = seconds_since(t0);
    const bool enough = calls_done >= p.min_calls && elapsed >= p.min_seconds;
    if (enough || (calls_done >= 10 && elapsed >= p.max_seconds)) break;
    if (progress && (reported < 0.0 || elapsed - reported >= kProgressSeconds)) {
      progress(protocol_fraction(p, calls_done, elapsed));
      reported = elapsed;
    }
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (!long_calls) calls[i]();  // untimed: this callable's weights back in the caches
      for (std::size_t k = 0; k < block; ++k) {
        const double cpu0 = long_calls ? thread_cpu_us() : 0.0;
        const auto c0 = clock::now();
        calls[i]();
        const double wall = std::chrono::duration<double, std::micro>(clock::now() - c0).count();
        us[i].push_back(long_calls ? thread_cpu_us() - cpu0 : wall);
      }
    }
  }
  std::vector<LatencyStats> result;
  for (auto& u : us) result.push_back(stats_of(std::move(u)));
  return result;
}

}  // namespace poda
