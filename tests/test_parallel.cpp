#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/parallel.h"

using namespace poda;

namespace {
// Restores one compute thread however a test ends.
struct ThreadsGuard {
  explicit ThreadsGuard(int n) { set_compute_threads(n); }
  ~ThreadsGuard() { set_compute_threads(1); }
};
}  // namespace

TEST_CASE("parallel_for: every index exactly once, slots within the thread count") {
  for (int threads : {1, 2, 3}) {
    ThreadsGuard guard(threads);
    for (std::size_t n : {0, 1, 2, 5, 64, 1000}) {
      CAPTURE(threads);
      CAPTURE(n);
      std::vector<std::atomic<int>> hits(n);
      std::atomic<int> max_slot{0};
      parallel_for(n, [&](std::size_t lo, std::size_t hi, int slot) {
        for (std::size_t i = lo; i < hi; ++i) ++hits[i];
        int seen = max_slot.load();
        while (slot > seen && !max_slot.compare_exchange_weak(seen, slot)) {}
      });
      for (std::size_t i = 0; i < n; ++i) CHECK(hits[i] == 1);
      CHECK(max_slot < parallel_slots(n));
      CHECK(parallel_slots(n) <= threads);
    }
  }
}

TEST_CASE("parallel_for: grain limits the slots; nested loops run inline") {
  ThreadsGuard guard(2);
  CHECK(parallel_slots(100, 64) == 1);
  CHECK(parallel_slots(128, 64) == 2);
  std::atomic<int> inner_slots{0};
  parallel_for(4, [&](std::size_t, std::size_t, int) {
    parallel_for(4, [&](std::size_t, std::size_t, int slot) { inner_slots += slot; });
  });
  CHECK(inner_slots == 0);
  CHECK_THROWS_AS(set_compute_threads(0), std::invalid_argument);
}
